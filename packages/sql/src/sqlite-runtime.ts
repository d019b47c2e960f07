/**
 * Loads the sqlite-wasm module once per process and exposes the raw exports the engine calls on hot paths.
 * Everything that touches wasm memory directly lives in WasmBridge (wasm-bridge.ts); this file only loads.
 */
import init from '@sqlite.org/sqlite-wasm';

// The package's types are rich but awkward for raw pointer work; the engine uses a narrow, explicit view.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type Sqlite3 = any;
export type RawExports = Record<string, (...args: any[]) => any>;

let loading: Promise<Sqlite3> | undefined;
let loaded: Sqlite3 | undefined;

/** The instance once loadSqlite() has resolved (every engine awaits it), else undefined. */
export function loadedSqlite(): Sqlite3 | undefined {
  return loaded;
}

/** The process-wide sqlite-wasm instance (loaded on first use, ~25 ms). */
export function loadSqlite(): Promise<Sqlite3> {
  if (!loading) {
    loading = (init as unknown as (options?: object) => Promise<Sqlite3>)({
      print: () => undefined,
      printErr: (message: string) => process.stderr.write(`sqlite-wasm: ${message}\n`),
    }).then((sqlite: Sqlite3) => (loaded = sqlite));
  }
  return loading;
}

/** SQLite result codes the engine names. */
export const SQLITE = {
  OK: 0,
  ERROR: 1,
  INTERRUPT: 9,
  CONSTRAINT: 19,
  MISUSE: 21,
  AUTH: 23,
  ROW: 100,
  DONE: 101,
  INTEGER: 1,
  FLOAT: 2,
  TEXT: 3,
  BLOB: 4,
  NULL: 5,
  UTF8: 1,
  DETERMINISTIC: 0x800,
  INNOCUOUS: 0x200000,
  TRANSIENT: -1,
} as const;
