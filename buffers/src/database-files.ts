/**
 * The files of an event database on disk: `--database_path` is a directory Quarry owns, holding LMDB's `data.mdb`
 * and `lock.mdb`, and Quarry's own `quarry-state.json` (state-marker.ts). This module checks the directory before
 * LMDB touches it, creates it 0700 and keeps the files 0600. LMDB maps data.mdb and trusts it: a file that is not
 * LMDB, or one shorter than its meta pages say (a truncated copy, a full disk), would crash the process with SIGBUS
 * on first touch, so the header and the size are checked first and such a file is refused as corrupt. A file written
 * by the storage of Quarry before the official LMDB (the `lmdb` npm package, its own LMDB format) is refused with
 * what to do.
 *
 * Quarry runs as root: an existing directory must belong to the user Quarry runs as and must not be writable by
 * group or others, and `data.mdb` / `lock.mdb` must be regular files, never symbolic links (a link planted there
 * would make root change the mode of, or write to, the file it points at). Each is lstat'ed before LMDB opens it and
 * again before its mode is changed.
 */
import { chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { DatabaseOpenError } from './database-open-error.js';
import { truncationProblem } from './lmdb-file-check.js';
import { readStateMarker, STATE_FILE } from './state-marker.js';

export const DATA_FILE = 'data.mdb';
export const LOCK_FILE = 'lock.mdb';
const DIRECTORY_MODE = 0o700;
const FILE_MODE = 0o600;
/** LMDB's meta page magic number, little-endian. */
const LMDB_MAGIC = 0xbeefc0de;
/** Official LMDB 0.9 (MDB_DATA_VERSION 1): the meta follows a 16-byte page header. */
const META_OFFSET = 16;
const OFFICIAL_VERSION = 1;
/** The `lmdb` npm package's own LMDB (lmdb-js): 24-byte page header, data version 2. */
const LMDB_JS_META_OFFSET = 24;
/** In MDB_meta (64-bit): mm_dbs[FREE_DBI].md_pad holds the page size. */
const META_PAGE_SIZE = 24;
const MOVE_ASIDE = 'move the directory aside (keep it if you need its events) or choose another --database_path';

export { DatabaseOpenError };

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
  const marker = entries.includes(STATE_FILE) ? readStateMarker(path) : undefined;
  const emptied = (what: string) =>
    new DatabaseOpenError(
      `Database ${path} is corrupt or emptied: ${what}, but ${STATE_FILE} says it was in use` +
        (marker && Object.keys(marker.rings).length > 0 ? ` (last eids: ${describeRings(marker.rings)})` : '') +
        '; starting over would lose its events and cursors and reuse eids, so Quarry will not: restore it, or ' +
        `start fresh deliberately: ${MOVE_ASIDE}`,
    );
  if (!entries.includes(DATA_FILE)) {
    if (marker) throw emptied(`${DATA_FILE} is missing`);
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
  if (size === 0) {
    if (marker) throw emptied(`${DATA_FILE} is empty (0 bytes)`);
    return { existingData: false };
  }
  checkLmdbHeader(path, dataPath, size);
  return { existingData: true };
}

function describeRings(rings: Readonly<Record<string, number>>): string {
  const shown = Object.entries(rings).slice(0, 4).map(([name, eid]) => `${name} ${eid}`);
  return shown.join(', ') + (Object.keys(rings).length > 4 ? ', ...' : '');
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

function corrupt(path: string, why: string): DatabaseOpenError {
  return new DatabaseOpenError(
    `Database ${path} is corrupt or not an LMDB database (${DATA_FILE} ${why}); Quarry will not replace it: ${MOVE_ASIDE}`,
  );
}

/**
 * Checks data.mdb's header before LMDB maps it: official LMDB magic and version, and a file at least as long as its
 * newest valid meta page says (last page number + 1) x page size. Refuses lmdb-js files with what to do.
 */
function checkLmdbHeader(path: string, dataPath: string, size: number): void {
  const header = Buffer.alloc(2 * 65536);
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
  if (read >= 32 && header.readUInt32LE(LMDB_JS_META_OFFSET) === LMDB_MAGIC) {
    throw new DatabaseOpenError(
      `Database ${path} was written by an older Quarry (format quarry-events/1, stored with the lmdb npm package's own ` +
        'LMDB), which this version cannot read: its events cannot be carried over. Move it aside ' +
        `(mv ${path} ${path}.old) and Quarry starts a new database there, or choose another --database_path`,
    );
  }
  if (read < 64 || header.readUInt32LE(META_OFFSET) !== LMDB_MAGIC) throw corrupt(path, 'has no LMDB header');
  if (header.readUInt32LE(META_OFFSET + 4) !== OFFICIAL_VERSION) {
    throw corrupt(path, `has LMDB data version ${header.readUInt32LE(META_OFFSET + 4)}, not ${OFFICIAL_VERSION}`);
  }
  const pageSize = header.readUInt32LE(META_OFFSET + META_PAGE_SIZE);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw corrupt(path, `names a page size of ${pageSize}`);
  if (size < 2 * pageSize || read < 2 * pageSize) throw corrupt(path, `is ${size} bytes, shorter than its two meta pages`);
  const problem = truncationProblem(dataPath, pageSize, size);
  if (problem !== undefined) throw corrupt(path, problem);
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
  try {
    lstatSync(join(path, STATE_FILE));
    targets.push([join(path, STATE_FILE), FILE_MODE]);
  } catch {
    // not written yet
  }
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
