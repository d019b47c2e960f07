/**
 * The read-only guard: an sqlite3_set_authorizer callback that allows reading and nothing else. Allowed: READ,
 * SELECT, FUNCTION (except load_extension), RECURSIVE, TRANSACTION/SAVEPOINT (harmless without writes) and the
 * pragmas PRAGMA_DECISIONS allows (osquery's list: table_info, table_xinfo, function_list, journal_mode,
 * case_sensitive_like, collation_list). Everything else — INSERT/UPDATE/DELETE, CREATE/DROP of any kind (temp
 * objects too), ALTER, ATTACH, DETACH, REINDEX, ANALYZE, other pragmas — is denied, and the engine reports
 * `not authorized: Quarry is read-only (<WHAT> refused)`.
 *
 * Shared engines (quarryd's pooled query workers, EngineOptions.isolateQueries) also refuse setting a pragma that
 * would change what later queries on the same connection see (`case_sensitive_like=1`, `journal_mode=…`): one
 * caller must not change another's results. The shell's engine is one user's own session and allows them, as
 * osqueryi does.
 */
const ACTION_NAMES: Record<number, string> = {
  1: 'CREATE INDEX',
  2: 'CREATE TABLE',
  3: 'CREATE TEMP INDEX',
  4: 'CREATE TEMP TABLE',
  5: 'CREATE TEMP TRIGGER',
  6: 'CREATE TEMP VIEW',
  7: 'CREATE TRIGGER',
  8: 'CREATE VIEW',
  9: 'DELETE',
  10: 'DROP INDEX',
  11: 'DROP TABLE',
  12: 'DROP TEMP INDEX',
  13: 'DROP TEMP TABLE',
  14: 'DROP TEMP TRIGGER',
  15: 'DROP TEMP VIEW',
  16: 'DROP TRIGGER',
  17: 'DROP VIEW',
  18: 'INSERT',
  19: 'PRAGMA',
  20: 'READ',
  21: 'SELECT',
  22: 'TRANSACTION',
  23: 'UPDATE',
  24: 'ATTACH',
  25: 'DETACH',
  26: 'ALTER TABLE',
  27: 'REINDEX',
  28: 'ANALYZE',
  29: 'CREATE VIRTUAL TABLE',
  30: 'DROP VIRTUAL TABLE',
  31: 'FUNCTION',
  32: 'SAVEPOINT',
  33: 'RECURSIVE',
};

export const ACTION = { PRAGMA: 19, READ: 20, SELECT: 21, TRANSACTION: 22, FUNCTION: 31, SAVEPOINT: 32, RECURSIVE: 33 } as const;

/**
 * What a pragma may do, decided for every pragma SQLite 3.4x knows (an unknown name is denied):
 * - 'read': allowed; its argument only names what to describe (a table, a function), nothing is set.
 * - 'session': allowed without an argument (it reports); setting it changes later queries on the connection, so
 *   only an engine that is one caller's own session (the shell) allows the set form. Shared engines refuse it.
 * - 'deny': refused everywhere (writes the database or its header, changes planning, naming or limits of later
 *   queries, tunes I/O, or reports internals osquery does not expose either).
 */
export type PragmaDecision = 'read' | 'session' | 'deny';

export const PRAGMA_DECISIONS: Readonly<Record<string, PragmaDecision>> = {
  // osquery's allowed pragmas (osquery/sql/sqlite_util.cpp)
  table_info: 'read',
  table_xinfo: 'read',
  function_list: 'read',
  collation_list: 'read',
  case_sensitive_like: 'session', // LIKE's case rule for every later statement
  journal_mode: 'session', // the in-memory database's journal (set to OFF at start)
  // changes what later statements return or how they are named or planned
  reverse_unordered_selects: 'deny',
  full_column_names: 'deny',
  short_column_names: 'deny',
  automatic_index: 'deny',
  analysis_limit: 'deny',
  legacy_alter_table: 'deny',
  recursive_triggers: 'deny',
  foreign_keys: 'deny',
  defer_foreign_keys: 'deny',
  ignore_check_constraints: 'deny',
  query_only: 'deny',
  read_uncommitted: 'deny',
  trusted_schema: 'deny',
  writable_schema: 'deny',
  count_changes: 'deny',
  empty_result_callbacks: 'deny',
  encoding: 'deny',
  // limits and memory (the engine sets its own at start)
  hard_heap_limit: 'deny',
  soft_heap_limit: 'deny',
  cache_size: 'deny',
  cache_spill: 'deny',
  default_cache_size: 'deny',
  mmap_size: 'deny',
  max_page_count: 'deny',
  threads: 'deny',
  temp_store: 'deny',
  temp_store_directory: 'deny',
  data_store_directory: 'deny',
  shrink_memory: 'deny',
  busy_timeout: 'deny',
  // the file, its header and its journal
  application_id: 'deny',
  user_version: 'deny',
  schema_version: 'deny',
  auto_vacuum: 'deny',
  incremental_vacuum: 'deny',
  page_size: 'deny',
  secure_delete: 'deny',
  synchronous: 'deny',
  locking_mode: 'deny',
  journal_size_limit: 'deny',
  legacy_file_format: 'deny',
  fullfsync: 'deny',
  checkpoint_fullfsync: 'deny',
  wal_autocheckpoint: 'deny',
  wal_checkpoint: 'deny',
  cell_size_check: 'deny',
  optimize: 'deny',
  // introspection osquery does not allow either
  compile_options: 'deny',
  database_list: 'deny',
  module_list: 'deny',
  pragma_list: 'deny',
  table_list: 'deny',
  index_info: 'deny',
  index_list: 'deny',
  index_xinfo: 'deny',
  foreign_key_check: 'deny',
  foreign_key_list: 'deny',
  integrity_check: 'deny',
  quick_check: 'deny',
  freelist_count: 'deny',
  page_count: 'deny',
  data_version: 'deny',
  stats: 'deny',
  // debugging builds only
  parser_trace: 'deny',
  vdbe_addoptrace: 'deny',
  vdbe_debug: 'deny',
  vdbe_listing: 'deny',
  vdbe_trace: 'deny',
};

/** Pragmas a statement may name at all (read ones, and session ones in their report form). */
export const ALLOWED_PRAGMAS: ReadonlySet<string> = new Set(
  Object.entries(PRAGMA_DECISIONS)
    .filter(([, decision]) => decision !== 'deny')
    .map(([name]) => name),
);

const ALWAYS_ALLOWED: ReadonlySet<number> = new Set([ACTION.READ, ACTION.SELECT, ACTION.TRANSACTION, ACTION.SAVEPOINT, ACTION.RECURSIVE]);

/** SQLite's authorizer return values. */
export const AUTH = { OK: 0, DENY: 1 } as const;

export interface AuthorizerDecision {
  readonly allowed: boolean;
  /** What was refused, e.g. `INSERT`, `PRAGMA writable_schema`, `ATTACH`, `load_extension()`. */
  readonly refused?: string;
  /** Refused because it would change later queries on a shared engine (not because it writes). */
  readonly isolation?: true;
}

/**
 * Decides one authorizer call. arg1/arg2 are SQLite's first two string arguments (null when absent); for a pragma,
 * its name and its argument. `shared`: the engine serves several callers (EngineOptions.isolateQueries).
 */
export function decide(action: number, arg1: string | null, arg2: string | null, shared = false): AuthorizerDecision {
  if (ALWAYS_ALLOWED.has(action)) return { allowed: true };
  if (action === ACTION.FUNCTION) {
    const name = (arg2 ?? '').toLowerCase();
    if (name === 'load_extension') return { allowed: false, refused: 'load_extension()' };
    return { allowed: true };
  }
  if (action === ACTION.PRAGMA) {
    const pragma = (arg1 ?? '').toLowerCase();
    const decision = Object.hasOwn(PRAGMA_DECISIONS, pragma) ? PRAGMA_DECISIONS[pragma] : 'deny';
    if (decision === 'read') return { allowed: true };
    if (decision === 'session') {
      if (arg2 === null || !shared) return { allowed: true };
      return { allowed: false, refused: `PRAGMA ${pragma}=${arg2}`, isolation: true };
    }
    return { allowed: false, refused: `PRAGMA ${pragma}` };
  }
  return { allowed: false, refused: ACTION_NAMES[action] ?? `action ${action}` };
}

export function readOnlyMessage(refused: string): string {
  return `not authorized: Quarry is read-only (${refused} refused)`;
}

export function isolationMessage(refused: string): string {
  return `not authorized: ${refused} would change what later queries on this shared query engine see (refused; quarryi's own session allows it)`;
}
