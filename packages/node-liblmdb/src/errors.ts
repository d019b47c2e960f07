/**
 * Errors from LMDB calls. `codeName` is LMDB's name for the code (MDB_MAP_FULL, MDB_BAD_TXN, ...) or the errno name
 * for system errors LMDB passes through (ENOSPC, EACCES, EROFS, ...); `code` is the number LMDB returned.
 */
import { constants } from 'node:os';
import { ErrorCodes } from './constants.js';

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, value]) => [value, name]));

export function codeName(code: number): string {
  return ErrorCodes[code] ?? errnoNames.get(code) ?? `LMDB error ${code}`;
}

export class LmdbError extends Error {
  readonly code: number;
  readonly codeName: string;
  /** The LMDB call that failed, e.g. mdb_txn_commit. */
  readonly call: string;

  constructor(call: string, code: number, text: string, context?: string) {
    const name = codeName(code);
    super(`${call} failed: ${name}: ${text}${context ? ` (${context})` : ''}`);
    this.name = 'LmdbError';
    this.code = code;
    this.codeName = name;
    this.call = call;
  }
}

/** The shared library could not be loaded (not installed, wrong architecture). */
export class LmdbLibraryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LmdbLibraryError';
  }
}

/** An environment was opened a second time in one process without attaching to the first (see environment.ts). */
export class LmdbSecondOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LmdbSecondOpenError';
  }
}
