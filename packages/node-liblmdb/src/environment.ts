/**
 * An LMDB environment (one data.mdb + lock.mdb directory), shared by every thread of a process.
 *
 * ## One environment per process (the decision)
 * LMDB must never open one environment twice in a process: its locks on lock.mdb are POSIX fcntl locks, which belong
 * to the process, so a second mdb_env_open in the same process believes it is the first user, reinitializes the lock
 * table under the other processes' feet, and closing either copy drops the process's locks. Node gives each worker
 * thread its own module instances, so a module-level cache cannot see an environment another thread opened.
 * Therefore every thread goes through one process-wide registry (process-registry.ts: SharedArrayBuffers the first
 * thread that loads this module creates and every Worker spawned afterwards inherits):
 * - `Environment.open(path)` attaches to the MDB_env this process already has for that real path (one more
 *   reference; the MDB_env pointer and the map address come from the registry), and calls mdb_env_open only when
 *   the process has none. The registry lock is held across the open, so two threads never open one path at once.
 * - An open that finds no registry entry but sees this process holding that lock.mdb anyway (a descriptor in
 *   /proc/self/fd on the same device and inode: a thread that does not share the registry, another library) is
 *   refused with LmdbSecondOpenError rather than corrupting the lock table. Load node-liblmdb in the main thread
 *   before starting workers so that all of them share the registry.
 * - Each `close()` gives back one reference; the last one closes the MDB_env. A worker thread terminated without
 *   closing keeps its reference, so the MDB_env then stays open (and attachable) until the process exits: it is
 *   never closed under a thread that may still use it.
 * - A known limit: LMDB's writer lock is a robust mutex, so a thread that dies holding it (a worker terminated in
 *   the middle of a write transaction) frees it — but in its own process LMDB then marks the environment fatal
 *   (MDB_PANIC) and every later transaction of that process fails with a clear LmdbError; other processes recover.
 *   Write transactions here are short synchronous calls (write()), so only worker.terminate() landing between two
 *   calls of one transaction can cause it.
 * The environment is opened with MDB_NOTLS, so read transactions are not bound to a thread (a reader slot belongs to
 * the transaction). Write transactions are bound to the thread that began them (LMDB's writer lock is a process-shared
 * mutex); threads of one process and other processes queue on it alike.
 *
 * Commits are not synced by default (MDB_NOSYNC): a committed transaction's pages are in the kernel's page cache when
 * mdb_txn_commit returns, so it survives kill -9 of any process; `sync()` forces them to the disk (power loss).
 * Dead readers' slots (a killed process's read transaction) are freed by mdb_reader_check at open and at most every
 * few seconds when a write transaction begins.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DbiFlags, EnvFlags } from './constants.js';
import { LmdbError, LmdbSecondOpenError } from './errors.js';
import { lmdb, type LmdbLibrary } from './library.js';
import { attachOrOpen, release, type RegisteredEnvironment } from './process-registry.js';
import { Transaction } from './transaction.js';

export interface EnvironmentOptions {
  /** Size of the memory map, the most the database can hold (bytes; default 1 GiB). */
  mapSize?: number;
  /** Named databases the environment can hold (default 64). */
  maxDbs?: number;
  /** Reader slots, i.e. concurrent read transactions across all processes (default 126, LMDB's own). */
  maxReaders?: number;
  /** Extra mdb_env_open flags (EnvFlags), added to MDB_NOTLS | MDB_NOSYNC. */
  flags?: number;
  /** Commit with fsync (drops MDB_NOSYNC). Default false. */
  syncCommits?: boolean;
  /** File mode of data.mdb and lock.mdb when LMDB creates them (default 0o600). */
  mode?: number;
  /** Minimum milliseconds between two mdb_reader_check calls made when a write transaction begins (default 5000). */
  readerCheckIntervalMs?: number;
}

export interface EnvironmentInfo {
  mapAddress: number;
  mapSize: number;
  lastPage: number;
  lastTxnId: number;
  maxReaders: number;
  numReaders: number;
}

export interface DatabaseStat {
  pageSize: number;
  depth: number;
  branchPages: number;
  leafPages: number;
  overflowPages: number;
  entries: number;
}

export function check(lib: LmdbLibrary, call: string, code: number, context?: string): void {
  if (code !== 0) throw new LmdbError(call, code, lib.mdb_strerror(code), context);
}

/** Reads an MDB_stat struct (unsigned ms_psize, ms_depth; size_t branch, leaf, overflow, entries). */
export function readStat(buffer: Buffer): DatabaseStat {
  return {
    pageSize: buffer.readUInt32LE(0),
    depth: buffer.readUInt32LE(4),
    branchPages: Number(buffer.readBigUInt64LE(8)),
    leafPages: Number(buffer.readBigUInt64LE(16)),
    overflowPages: Number(buffer.readBigUInt64LE(24)),
    entries: Number(buffer.readBigUInt64LE(32)),
  };
}

/** Whether this process holds a descriptor on `file` (same device and inode), per /proc/self/fd. */
function processHoldsFile(file: string): boolean {
  let target: { dev: number; ino: number };
  try {
    target = lstatSync(file);
  } catch {
    return false;
  }
  let descriptors: string[];
  try {
    descriptors = readdirSync('/proc/self/fd');
  } catch {
    return false;
  }
  for (const fd of descriptors) {
    try {
      const stat = statSync(join('/proc/self/fd', fd));
      if (stat.dev === target.dev && stat.ino === target.ino) return true;
    } catch {
      // closed meanwhile (readdir's own descriptor)
    }
  }
  return false;
}

/**
 * Where this process mapped `dataFile` (mdb_env_info's me_mapaddr is only set for MDB_FIXEDMAP): the start of the
 * mapping of that inode in /proc/self/maps, or 0 when it cannot be found (values are then copied, not viewed).
 */
function mapAddressOf(dataFile: string, mapSize: number): number {
  try {
    const inode = String(lstatSync(dataFile).ino);
    for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
      const fields = line.split(/\s+/);
      if (fields[4] !== inode || !fields[5]?.endsWith('/data.mdb')) continue;
      const [start, end] = (fields[0] ?? '').split('-').map((hex) => parseInt(hex, 16));
      if (start !== undefined && end !== undefined && end - start === mapSize) return start;
    }
  } catch {
    // no /proc: copy values
  }
  return 0;
}

export class Environment {
  readonly path: string;
  /** The MDB_env* as an integer. */
  readonly address: number;
  private readonly lib: LmdbLibrary;
  private readonly shared: RegisteredEnvironment;
  private readonly readerCheckIntervalMs: number;
  private lastReaderCheck = 0;
  private mapView: Buffer | undefined;
  private readonly dbis = new Map<string, number>();
  private closed = false;
  /** The write transaction this thread has open (LMDB allows one per thread). */
  writeTxn: Transaction | undefined;

  private constructor(registered: RegisteredEnvironment, readerCheckIntervalMs: number) {
    this.lib = lmdb();
    this.shared = registered;
    this.path = registered.path;
    this.address = registered.address;
    this.readerCheckIntervalMs = readerCheckIntervalMs;
  }

  /**
   * Opens the environment in directory `path` (which must exist), or attaches to the one this process already has
   * open for it (in any thread; see the top of this file).
   */
  static open(path: string, options: EnvironmentOptions = {}): Environment {
    const lib = lmdb();
    const real = realpathSync(path);
    const { registered, attached } = attachOrOpen(real, () => openNative(lib, real, options));
    const environment = new Environment(registered, options.readerCheckIntervalMs ?? 5000);
    if (!attached) environment.readerCheck();
    return environment;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Gives back this reference; the last one in the process closes the MDB_env. */
  close(): void {
    if (this.closed) return;
    if (this.writeTxn) this.writeTxn.abort();
    this.closed = true;
    release(this.shared, () => this.lib.mdb_env_close(this.address));
  }

  info(): EnvironmentInfo {
    this.assertOpen();
    const buffer = Buffer.alloc(40);
    check(this.lib, 'mdb_env_info', this.lib.mdb_env_info(this.address, buffer));
    return {
      mapAddress: Number(buffer.readBigUInt64LE(0)),
      mapSize: Number(buffer.readBigUInt64LE(8)),
      lastPage: Number(buffer.readBigUInt64LE(16)),
      lastTxnId: Number(buffer.readBigUInt64LE(24)),
      maxReaders: buffer.readUInt32LE(32),
      numReaders: buffer.readUInt32LE(36),
    };
  }

  /** Statistics of the main (unnamed) database. */
  stat(): DatabaseStat {
    this.assertOpen();
    const buffer = Buffer.alloc(48);
    check(this.lib, 'mdb_env_stat', this.lib.mdb_env_stat(this.address, buffer));
    return readStat(buffer);
  }

  /** Frees the reader slots of processes that are gone; returns how many were freed. */
  readerCheck(): number {
    this.assertOpen();
    const dead = Buffer.alloc(4);
    check(this.lib, 'mdb_reader_check', this.lib.mdb_reader_check(this.address, dead));
    this.lastReaderCheck = Date.now();
    return dead.readInt32LE(0);
  }

  /** Flushes committed data to the disk (fsync). */
  sync(): void {
    this.assertOpen();
    check(this.lib, 'mdb_env_sync', this.lib.mdb_env_sync(this.address, 1));
  }

  /** Begins a read-only transaction on the newest committed state. Abort it (or use read()) when done. */
  beginRead(): Transaction {
    this.assertOpen();
    return this.begin(EnvFlags.MDB_RDONLY);
  }

  /** Begins this thread's write transaction (waits for the writer lock). Commit or abort it (or use write()). */
  beginWrite(): Transaction {
    this.assertOpen();
    if (this.writeTxn) throw new Error(`A write transaction on ${this.path} is already open in this thread; LMDB allows one`);
    if (Date.now() - this.lastReaderCheck >= this.readerCheckIntervalMs) this.readerCheck();
    const txn = this.begin(0);
    this.writeTxn = txn;
    return txn;
  }

  /** Runs `body` in a read transaction on a fresh snapshot and ends it. */
  read<T>(body: (txn: Transaction) => T): T {
    const txn = this.beginRead();
    try {
      return body(txn);
    } finally {
      txn.abort();
    }
  }

  /** Runs `body` in a write transaction: committed when it returns, aborted when it throws. */
  write<T>(body: (txn: Transaction) => T): T {
    const txn = this.beginWrite();
    let result: T;
    try {
      result = body(txn);
    } catch (error) {
      txn.abort();
      throw error;
    }
    txn.commit();
    return result;
  }

  /**
   * The handle of named database `name` (null: the main database) (created when `create` and missing; undefined when missing otherwise).
   * Opened in a write transaction of its own (mdb_dbi_open must not race another transaction of this process).
   */
  dbi(name: string | null, create = true): number | undefined {
    const cached = this.dbis.get(name ?? '\0main');
    if (cached !== undefined) return cached;
    const txn = this.writeTxn;
    if (txn) return txn.openDbi(name, create);
    return this.write((own) => own.openDbi(name, create));
  }

  /** @internal Called by Transaction when a dbi handle is known to outlive its transaction. */
  rememberDbi(name: string | null, dbi: number): void {
    this.dbis.set(name ?? '\0main', dbi);
  }

  /** @internal Offset of [address, address + size) in the memory map, or -1 when it is not in the map. */
  mappedOffset(address: number, size: number): number {
    if (this.shared.mapAddress === 0) return -1;
    const offset = address - this.shared.mapAddress;
    return offset < 0 || offset + size > this.shared.mapSize ? -1 : offset;
  }

  /** @internal A Buffer over the whole memory map (read-only pages: never write to it). */
  mapBuffer(): Buffer {
    return (this.mapView ??= this.lib.view(this.shared.mapAddress, this.shared.mapSize));
  }

  private begin(flags: number): Transaction {
    const out = Buffer.alloc(8);
    check(this.lib, 'mdb_txn_begin', this.lib.mdb_txn_begin(this.address, 0, flags, out), this.path);
    return new Transaction(this, Number(out.readBigUInt64LE(0)), flags === 0);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`LMDB environment ${this.path} is closed`);
  }
}

function openNative(lib: LmdbLibrary, real: string, options: EnvironmentOptions): { address: number; mapAddress: number; mapSize: number } {
  if (processHoldsFile(join(real, 'lock.mdb'))) {
    throw new LmdbSecondOpenError(
      `LMDB environment ${real} is already open in this process (its lock.mdb is held) but not through this ` +
        "process's node-liblmdb registry; opening it twice would break LMDB's locks: load node-liblmdb in the main " +
        'thread before starting workers, and open each environment once per process',
    );
  }
  const out = Buffer.alloc(8);
  check(lib, 'mdb_env_create', lib.mdb_env_create(out));
  const address = Number(out.readBigUInt64LE(0));
  try {
    check(lib, 'mdb_env_set_mapsize', lib.mdb_env_set_mapsize(address, options.mapSize ?? 1024 * 1024 * 1024));
    check(lib, 'mdb_env_set_maxdbs', lib.mdb_env_set_maxdbs(address, options.maxDbs ?? 64));
    if (options.maxReaders !== undefined) check(lib, 'mdb_env_set_maxreaders', lib.mdb_env_set_maxreaders(address, options.maxReaders));
    const flags = EnvFlags.MDB_NOTLS | (options.syncCommits ? 0 : EnvFlags.MDB_NOSYNC) | (options.flags ?? 0);
    check(lib, 'mdb_env_open', lib.mdb_env_open(address, real, flags, options.mode ?? 0o600), real);
  } catch (error) {
    lib.mdb_env_close(address);
    throw error;
  }
  const info = Buffer.alloc(40);
  check(lib, 'mdb_env_info', lib.mdb_env_info(address, info));
  const mapSize = Number(info.readBigUInt64LE(8));
  return { address, mapAddress: mapAddressOf(join(real, 'data.mdb'), mapSize), mapSize };
}
