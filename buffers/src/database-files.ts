/**
 * The files of an event database on disk: `--database_path` is a directory Quarry owns, holding LMDB's `data.mdb`
 * and `lock.mdb`. This module checks the directory before LMDB touches it (LMDB crashes the process on a data file
 * that is not LMDB, so the header is checked first), creates it 0700 and keeps the files 0600.
 *
 * Quarry runs as root: an existing directory must belong to the user Quarry runs as and must not be writable by
 * group or others, and `data.mdb` / `lock.mdb` must be regular files, never symbolic links (a link planted there
 * would make root change the mode of, or write to, the file it points at). Each is lstat'ed before LMDB opens it and
 * again before its mode is changed.
 */
import { chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export const DATA_FILE = 'data.mdb';
export const LOCK_FILE = 'lock.mdb';
const DIRECTORY_MODE = 0o700;
const FILE_MODE = 0o600;
/** LMDB's meta page magic number, little-endian, as written by the LMDB built into the `lmdb` package. */
const LMDB_MAGIC = 0xbeefc0de;
const LMDB_MAGIC_OFFSETS = [24, 16];

export class DatabaseOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

/** What `prepareDatabaseDirectory` found: whether an existing data file is being reopened. */
export interface DatabaseDirectoryState {
  readonly existingData: boolean;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Creates the directory (0700) or checks an existing one; refuses anything that is not a Quarry database. */
export function prepareDatabaseDirectory(path: string): DatabaseDirectoryState {
  let isNew = false;
  try {
    const stat = lstatSync(path);
    if (!stat.isDirectory()) {
      throw new DatabaseOpenError(
        `Database path ${path} is not a directory (it is ${stat.isSymbolicLink() ? 'a symbolic link' : 'a file'}); ` +
          '--database_path must name a directory Quarry owns: move that file aside or choose another path',
      );
    }
  } catch (error) {
    if (error instanceof DatabaseOpenError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new DatabaseOpenError(`Database path ${path} cannot be inspected: ${describe(error)}`);
    }
    try {
      mkdirSync(path, { recursive: true, mode: DIRECTORY_MODE });
      isNew = true;
    } catch (mkdirError) {
      throw new DatabaseOpenError(
        `Database directory ${path} cannot be created: ${describe(mkdirError)}; check the parent directory or choose another --database_path`,
      );
    }
  }
  if (isNew) return { existingData: false };
  checkDirectoryOwner(path);
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch (error) {
    throw new DatabaseOpenError(`Database directory ${path} cannot be read: ${describe(error)}`);
  }
  if (!entries.includes(DATA_FILE)) {
    const foreign = entries.filter((name) => name !== LOCK_FILE);
    if (foreign.length > 0) {
      const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? ', ...' : '');
      throw new DatabaseOpenError(
        `Database path ${path} is not a Quarry database: it holds ${shown} but no ${DATA_FILE} ` +
          "(an osquery RocksDB directory?); choose an empty or new directory for --database_path",
      );
    }
    return { existingData: false };
  }
  if (entries.includes(LOCK_FILE)) checkDatabaseFile(join(path, LOCK_FILE));
  const dataPath = join(path, DATA_FILE);
  const size = checkDatabaseFile(dataPath).size;
  if (size === 0) return { existingData: false };
  checkLmdbHeader(path, dataPath, size);
  return { existingData: true };
}

function currentUid(): number {
  return typeof process.geteuid === 'function' ? process.geteuid() : -1;
}

/** An existing database directory must be the current user's and not writable by group or others. */
function checkDirectoryOwner(path: string): void {
  const stat = lstatSync(path);
  const uid = currentUid();
  if (uid >= 0 && stat.uid !== uid) {
    throw new DatabaseOpenError(
      `Database directory ${path} belongs to uid ${stat.uid}, not to the user Quarry runs as (uid ${uid}); ` +
        'another user could replace its files: choose a directory of your own for --database_path ' +
        `(or, if it is yours, chown ${uid} ${path})`,
    );
  }
  if ((stat.mode & 0o022) !== 0) {
    throw new DatabaseOpenError(
      `Database directory ${path} is writable by group or others (mode ${(stat.mode & 0o777).toString(8)}); ` +
        `make it private first (chmod 700 ${path}) or choose another --database_path`,
    );
  }
}

/** `data.mdb` / `lock.mdb` must be regular files of the current user, not symbolic links. Returns its lstat. */
function checkDatabaseFile(target: string): Stats {
  let stat: Stats;
  try {
    stat = lstatSync(target);
  } catch (error) {
    throw new DatabaseOpenError(`Database file ${target} cannot be inspected: ${describe(error)}`);
  }
  if (stat.isSymbolicLink() || !stat.isFile()) {
    throw new DatabaseOpenError(
      `Database file ${target} is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; Quarry refuses to ` +
        'open or change it (it could point at another file): remove it, or choose another --database_path',
    );
  }
  const uid = currentUid();
  if (uid >= 0 && stat.uid !== uid) {
    throw new DatabaseOpenError(
      `Database file ${target} belongs to uid ${stat.uid}, not to the user Quarry runs as (uid ${uid}); ` +
        'remove it or choose another --database_path',
    );
  }
  return stat;
}

function checkLmdbHeader(path: string, dataPath: string, size: number): void {
  const header = Buffer.alloc(64);
  let read = 0;
  try {
    const fd = openSync(dataPath, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      read = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new DatabaseOpenError(`Database file ${dataPath} cannot be read: ${describe(error)}`);
  }
  const hasMagic = read >= 32 && LMDB_MAGIC_OFFSETS.some((offset) => header.readUInt32LE(offset) === LMDB_MAGIC);
  if (!hasMagic || size < 8192) {
    throw new DatabaseOpenError(
      `Database ${path} is corrupt or not an LMDB database (${DATA_FILE} has no LMDB header); ` +
        'Quarry will not replace it: move the directory aside (keep it if you need its events) or choose another --database_path',
    );
  }
}

/**
 * Tightens the directory to 0700 and its LMDB files to 0600 (LMDB creates them with the process umask). Each target
 * is lstat'ed first and a symbolic link is refused, never followed. (No descriptor is opened on lock.mdb: closing one
 * would drop LMDB's own fcntl locks on it, which other processes use to tell live readers from dead ones.) The
 * directory is the current user's and not writable by others (checked before), so nobody else can swap a link in.
 */
export function enforceDatabasePermissions(path: string): void {
  const targets: Array<[string, number]> = [
    [path, DIRECTORY_MODE],
    [join(path, DATA_FILE), FILE_MODE],
    [join(path, LOCK_FILE), FILE_MODE],
  ];
  for (const [target, mode] of targets) {
    const stat = target === path ? lstatSync(target) : checkDatabaseFile(target);
    if (stat.isSymbolicLink()) {
      throw new DatabaseOpenError(`Database directory ${target} is a symbolic link; --database_path must name a real directory`);
    }
    try {
      if ((stat.mode & 0o777) !== mode) chmodSync(target, mode);
    } catch (error) {
      throw new DatabaseOpenError(
        `Cannot set permissions ${mode.toString(8)} on ${target}: ${describe(error)}; the database must be private to its owner`,
      );
    }
  }
}
