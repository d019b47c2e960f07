/**
 * node-liblmdb: a small koffi binding to the official LMDB library (Debian's liblmdb0, `liblmdb.so.0`).
 * No application concepts: environments, transactions, named databases, cursors; keys and values are Buffers.
 */
export { Environment, type EnvironmentOptions, type EnvironmentInfo, type DatabaseStat } from './environment.js';
export { Transaction, Cursor, MAX_KEY_SIZE, type Span } from './transaction.js';
export { EnvFlags, DbiFlags, PutFlags, CursorOp, ErrorCodes, MDB_NOTFOUND, MDB_KEYEXIST } from './constants.js';
export { LmdbError, LmdbLibraryError, LmdbSecondOpenError, codeName } from './errors.js';
export { lmdb, INSTALL_HINT } from './library.js';

import { lmdb } from './library.js';

/** The LMDB version string of the loaded library, e.g. "LMDB 0.9.24: (July 24, 2019)". */
export function lmdbVersion(): string {
  return lmdb().mdb_version(null, null, null);
}
export { references as environmentReferences } from './process-registry.js';
