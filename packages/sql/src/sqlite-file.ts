/**
 * Reads a SQLite database file with the engine's own sqlite-wasm: the file's bytes are deserialized read-only into
 * an in-memory connection, the query runs there, and the connection is closed. Used by auto_table_construction
 * (tables over SQLite files named in the config). Synchronous, as table generators are; it needs the runtime an
 * engine has already loaded (loadSqlite()).
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { loadedSqlite, type Sqlite3 } from './sqlite-runtime.js';

const SQLITE_HEADER = 'SQLite format 3\0';

/** Why a SQLite file cannot be read with a query: not SQLite, a writing query, a bad query. */
export class SqliteFileError extends Error {
  override name = 'SqliteFileError';
}

export interface SqliteFileResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/** True when `path` starts with SQLite's file header. */
export function isSqliteFile(path: string): boolean {
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, header, 0, header.length, 0) === header.length && header.toString('latin1') === SQLITE_HEADER;
  } finally {
    closeSync(fd);
  }
}

function runtime(): Sqlite3 {
  const sqlite = loadedSqlite();
  if (!sqlite) throw new SqliteFileError('the SQLite runtime is not loaded yet (create an engine first)');
  return sqlite;
}

/**
 * Runs `sql` over the SQLite database file at `path`, read-only. Throws SqliteFileError when the file is not a SQLite
 * database, when the query would write, or when SQLite refuses the query (its message); fs errors propagate.
 */
export function querySqliteFile(path: string, sql: string): SqliteFileResult {
  if (!isSqliteFile(path)) throw new SqliteFileError(`${path} is not a SQLite database`);
  const sqlite = runtime();
  const bytes = new Uint8Array(readFileSync(path));
  const db = new sqlite.oo1.DB(':memory:', 'c');
  try {
    const pointer = sqlite.wasm.allocFromTypedArray(bytes);
    const flags = sqlite.capi.SQLITE_DESERIALIZE_FREEONCLOSE | sqlite.capi.SQLITE_DESERIALIZE_READONLY;
    const rc = sqlite.capi.sqlite3_deserialize(db.pointer, 'main', pointer, bytes.length, bytes.length, flags);
    if (rc !== 0) throw new SqliteFileError(`${path} could not be opened (SQLite code ${rc})`);
    let statement;
    try {
      statement = db.prepare(sql);
    } catch (error) {
      throw new SqliteFileError(`${path}: ${(error as Error).message.replace(/^SQLITE_[A-Z_]+: (sqlite3 result code \d+: )?/, '')}`);
    }
    try {
      if (sqlite.capi.sqlite3_stmt_readonly(statement.pointer) === 0) throw new SqliteFileError('the query writes (only reading queries are allowed)');
      const columns: string[] = statement.getColumnNames();
      const rows: Array<Record<string, unknown>> = [];
      while (statement.step()) rows.push(statement.get({}));
      return { columns, rows };
    } finally {
      statement.finalize();
    }
  } finally {
    db.close();
  }
}
