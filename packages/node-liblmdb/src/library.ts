/**
 * Debian's liblmdb0 (`liblmdb.so.0`, the official LMDB 0.9), bound with koffi. Loaded lazily, once per thread.
 *
 * Per-call overhead is kept low: handles (MDB_env*, MDB_txn*, MDB_cursor*) are passed as plain integers (`uintptr_t`)
 * and every MDB_val is a reused 16-byte Buffer filled by hand, so koffi marshals nothing but integers and Buffers.
 */
import koffi from 'koffi';
import { LmdbLibraryError } from './errors.js';

export interface LmdbLibrary {
  mdb_version(major: Buffer | null, minor: Buffer | null, patch: Buffer | null): string;
  mdb_strerror(code: number): string;
  mdb_env_create(out: Buffer): number;
  mdb_env_open(env: number, path: string, flags: number, mode: number): number;
  mdb_env_close(env: number): void;
  mdb_env_set_mapsize(env: number, size: number): number;
  mdb_env_set_maxreaders(env: number, readers: number): number;
  mdb_env_set_maxdbs(env: number, dbs: number): number;
  mdb_env_info(env: number, out: Buffer): number;
  mdb_env_stat(env: number, out: Buffer): number;
  mdb_env_sync(env: number, force: number): number;
  mdb_env_get_flags(env: number, out: Buffer): number;
  mdb_reader_check(env: number, dead: Buffer): number;
  mdb_txn_begin(env: number, parent: number, flags: number, out: Buffer): number;
  mdb_txn_commit(txn: number): number;
  mdb_txn_abort(txn: number): void;
  mdb_dbi_open(txn: number, name: string | null, flags: number, out: Buffer): number;
  mdb_stat(txn: number, dbi: number, out: Buffer): number;
  mdb_drop(txn: number, dbi: number, del: number): number;
  mdb_get(txn: number, dbi: number, key: Buffer, data: Buffer): number;
  mdb_put(txn: number, dbi: number, key: Buffer, data: Buffer, flags: number): number;
  mdb_del(txn: number, dbi: number, key: Buffer, data: Buffer | null): number;
  mdb_cursor_open(txn: number, dbi: number, out: Buffer): number;
  mdb_cursor_close(cursor: number): void;
  mdb_cursor_get(cursor: number, key: Buffer, data: Buffer, op: number): number;
  /** libc memcpy from a native address into a Buffer (values on dirty pages, outside the map). */
  memcpy(destination: Buffer, source: number, size: number): number;
  /** A Buffer over `size` bytes of native memory at `address` (no copy). */
  view(address: number, size: number): Buffer;
  /** The native address of a Buffer's first byte (memcpy of 0 bytes returns its destination). */
  addressOf(buffer: Buffer): number;
}

let cached: LmdbLibrary | undefined;

export const INSTALL_HINT = 'install it with `apt-get install liblmdb0` (Debian/Ubuntu)';

/** The bindings for this thread. Throws LmdbLibraryError naming the package to install when liblmdb is missing. */
export function lmdb(): LmdbLibrary {
  if (cached) return cached;
  if (process.platform !== 'linux') throw new LmdbLibraryError(`node-liblmdb needs Linux and liblmdb.so.0; this is ${process.platform}`);
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load('liblmdb.so.0');
  } catch (error) {
    throw new LmdbLibraryError(
      `The LMDB library liblmdb.so.0 cannot be loaded (${error instanceof Error ? error.message : String(error)}); ${INSTALL_HINT}`,
    );
  }
  const libc = koffi.load('libc.so.6');
  const f = (signature: string) => lib.func(signature);
  const bound: LmdbLibrary = {
    mdb_version: f('const char *mdb_version(void *major, void *minor, void *patch)'),
    mdb_strerror: f('const char *mdb_strerror(int err)'),
    mdb_env_create: f('int mdb_env_create(void *env)'),
    mdb_env_open: f('int mdb_env_open(uintptr_t env, const char *path, unsigned int flags, unsigned int mode)'),
    mdb_env_close: f('void mdb_env_close(uintptr_t env)'),
    mdb_env_set_mapsize: f('int mdb_env_set_mapsize(uintptr_t env, size_t size)'),
    mdb_env_set_maxreaders: f('int mdb_env_set_maxreaders(uintptr_t env, unsigned int readers)'),
    mdb_env_set_maxdbs: f('int mdb_env_set_maxdbs(uintptr_t env, unsigned int dbs)'),
    mdb_env_info: f('int mdb_env_info(uintptr_t env, void *stat)'),
    mdb_env_stat: f('int mdb_env_stat(uintptr_t env, void *stat)'),
    mdb_env_sync: f('int mdb_env_sync(uintptr_t env, int force)'),
    mdb_env_get_flags: f('int mdb_env_get_flags(uintptr_t env, void *flags)'),
    mdb_reader_check: f('int mdb_reader_check(uintptr_t env, void *dead)'),
    mdb_txn_begin: f('int mdb_txn_begin(uintptr_t env, uintptr_t parent, unsigned int flags, void *txn)'),
    mdb_txn_commit: f('int mdb_txn_commit(uintptr_t txn)'),
    mdb_txn_abort: f('void mdb_txn_abort(uintptr_t txn)'),
    mdb_dbi_open: f('int mdb_dbi_open(uintptr_t txn, const char *name, unsigned int flags, void *dbi)'),
    mdb_stat: f('int mdb_stat(uintptr_t txn, unsigned int dbi, void *stat)'),
    mdb_drop: f('int mdb_drop(uintptr_t txn, unsigned int dbi, int del)'),
    mdb_get: f('int mdb_get(uintptr_t txn, unsigned int dbi, void *key, void *data)'),
    mdb_put: f('int mdb_put(uintptr_t txn, unsigned int dbi, void *key, void *data, unsigned int flags)'),
    mdb_del: f('int mdb_del(uintptr_t txn, unsigned int dbi, void *key, void *data)'),
    mdb_cursor_open: f('int mdb_cursor_open(uintptr_t txn, unsigned int dbi, void *cursor)'),
    mdb_cursor_close: f('void mdb_cursor_close(uintptr_t cursor)'),
    mdb_cursor_get: f('int mdb_cursor_get(uintptr_t cursor, void *key, void *data, int op)'),
    memcpy: libc.func('uintptr_t memcpy(void *dest, uintptr_t src, size_t n)'),
    view: (address, size) => {
      // An ArrayBuffer over native memory at `address` (no copy): koffi.view takes a pointer, decoded from the integer.
      const slot = Buffer.alloc(8);
      slot.writeBigUInt64LE(BigInt(address));
      return Buffer.from(koffi.view(koffi.decode(slot, 'void *'), size));
    },
    addressOf: (buffer) => bound.memcpy(buffer, 0, 0),
  };
  cached = bound;
  return bound;
}
