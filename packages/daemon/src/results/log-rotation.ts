/**
 * Size-based rotation of the filesystem logger's files (--logger_rotate, --logger_rotate_size,
 * --logger_rotate_max_files), as osquery rotates osqueryd.results.log and osqueryd.snapshots.log:
 * X -> X.1, X.1 -> X.2, ... keeping at most max_files rotated files; older ones are deleted.
 *
 * Differences from osquery, on purpose:
 * - osquery compresses X.2 and older with zstd (X.2.zst, ...). Node 20 has no zstd, so Quarry keeps every rotated
 *   file uncompressed (X.1, X.2, ...): log shippers read them as they are, and no extra dependency is needed.
 * - osquery rotates when the file already holds >= logger_rotate_size bytes before a write, so a file can end up
 *   larger than the limit by one line. Quarry rotates before a line that would take the file past the limit, so a
 *   file holds at most logger_rotate_size bytes, unless one line alone is longer (it then gets a file of its own:
 *   a line is never split across files).
 * - --logger_rotate_size=0 (osquery: a rotation before every line) and --logger_rotate_max_files=0 are rejected at
 *   start with an error naming the flag.
 *
 * Writes stay synchronous (writeSync), and a rotation is a rename of the file the lines were already written to, so
 * a line is in the log (X or X.1) before the caller returns and the scheduler commits its cursor.
 */
import { closeSync, existsSync, fchmodSync, fstatSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface RotationPolicy {
  /** A file is rotated before a line that would take it past this many bytes. */
  readonly maxBytes: number;
  /** How many rotated files (X.1 ... X.maxFiles) are kept. */
  readonly maxFiles: number;
}

/** The values of the rotation flags, as read from the command line / flagfile. */
export interface RotationFlags {
  rotate: boolean;
  size: number;
  maxFiles: number;
}

/**
 * The rotation policy the flags ask for, or undefined without --logger_rotate. Throws an Error naming the flag
 * for a value that cannot work.
 */
export function rotationPolicyFromFlags(flags: RotationFlags): RotationPolicy | undefined {
  if (!flags.rotate) return undefined;
  if (!Number.isSafeInteger(flags.size) || flags.size <= 0) {
    throw new Error(
      `--logger_rotate_size=${flags.size} cannot be used with --logger_rotate=true: give the size in bytes (above 0) a log file reaches before it is rotated (default 26214400)`,
    );
  }
  if (!Number.isSafeInteger(flags.maxFiles) || flags.maxFiles <= 0) {
    throw new Error(
      `--logger_rotate_max_files=${flags.maxFiles} cannot be used with --logger_rotate=true: give how many rotated files to keep (at least 1, default 25), or set --logger_rotate=false`,
    );
  }
  return { maxBytes: flags.size, maxFiles: flags.maxFiles };
}

/** Writes every byte of `data` at the end of `fd` (writeSync may write fewer bytes than asked). */
function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

/**
 * Shifts the rotated files of `path` one place up (X.n -> X.n+1, X -> X.1), first deleting those that would be
 * past `maxFiles`. Renames go from the highest number down, so no file is overwritten. Files of `path` that are
 * not `X.<number>` are left alone.
 */
export function rotateFiles(path: string, maxFiles: number): void {
  const directory = dirname(path);
  const prefix = `${basename(path)}.`;
  const numbers: number[] = [];
  for (const name of readdirSync(directory)) {
    if (!name.startsWith(prefix)) continue;
    const suffix = name.slice(prefix.length);
    if (/^[1-9]\d*$/.test(suffix)) numbers.push(Number(suffix));
  }
  numbers.sort((a, b) => b - a);
  for (const n of numbers) {
    const from = `${path}.${n}`;
    if (n >= maxFiles) rmSync(from, { force: true });
    else renameSync(from, `${path}.${n + 1}`);
  }
  renameSync(path, `${path}.1`);
}

/**
 * An append-only log file opened once; with a policy, rotated before a line that would take it past the size
 * limit. New files (the first one and each one after a rotation) get `mode` exactly (umask does not apply);
 * rotated files keep theirs, since a rename does not change it.
 */
export class RotatingLogFile {
  private fd: number;
  private size: number;

  constructor(
    readonly path: string,
    private readonly mode: number,
    private readonly policy?: RotationPolicy,
  ) {
    this.fd = this.open();
    this.size = fstatSync(this.fd).size;
  }

  private open(): number {
    // A file that already existed keeps its mode (an operator may have changed it, or it is a link to a special
    // file); a new one gets --logger_mode whatever the umask.
    const existed = existsSync(this.path);
    const fd = openSync(this.path, 'a', this.mode);
    if (!existed) fchmodSync(fd, this.mode);
    return fd;
  }

  /** Appends `line` and a newline, rotating first when the policy says so. Throws when the write fails. */
  write(line: string): void {
    const data = Buffer.from(`${line}\n`, 'utf8');
    if (this.policy && this.size > 0 && this.size + data.length > this.policy.maxBytes) this.rotate();
    writeAll(this.fd, data);
    this.size += data.length;
  }

  /** Moves the current file to X.1 (and older ones up), then continues in a new, empty X. */
  rotate(): void {
    if (!this.policy) return;
    this.sync();
    closeSync(this.fd);
    // Until a new descriptor is open, the old one must not be used again.
    this.fd = -1;
    try {
      rotateFiles(this.path, this.policy.maxFiles);
    } finally {
      // Whether or not the renames worked, writing goes on: into a new X, or (rename failed) into the old X.
      this.fd = this.open();
      this.size = fstatSync(this.fd).size;
    }
  }

  /** fsync, best effort (special files such as /dev/null cannot be synced). */
  sync(): void {
    if (this.fd < 0) return;
    try {
      fsyncSync(this.fd);
    } catch {
      // best effort
    }
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** The files a rotated log consists of, oldest first: X.n ... X.2, X.1, X (those that exist). For tests and tools. */
export function rotatedFilesOldestFirst(logPath: string): string[] {
  const directory = dirname(logPath);
  const prefix = `${basename(logPath)}.`;
  const numbered: number[] = [];
  let current = false;
  for (const name of readdirSync(directory)) {
    if (name === basename(logPath)) current = true;
    else if (name.startsWith(prefix) && /^[1-9]\d*$/.test(name.slice(prefix.length))) numbered.push(Number(name.slice(prefix.length)));
  }
  numbered.sort((a, b) => b - a);
  return [...numbered.map((n) => join(directory, `${prefix}${n}`)), ...(current ? [logPath] : [])];
}
