/**
 * The read-only guard: an sqlite3_set_authorizer callback that allows reading and nothing else. Allowed: READ,
 * SELECT, FUNCTION (except load_extension), RECURSIVE, TRANSACTION/SAVEPOINT (harmless without writes) and the
 * pragmas table_info, table_xinfo, function_list, journal_mode, case_sensitive_like, collation_list. Everything
 * else — INSERT/UPDATE/DELETE, CREATE/DROP of any kind, ALTER, ATTACH, DETACH, REINDEX, ANALYZE, other pragmas —
 * is denied, and the engine reports `not authorized: Quarry is read-only (<WHAT> refused)`.
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

export const ALLOWED_PRAGMAS: ReadonlySet<string> = new Set([
  'table_info',
  'table_xinfo',
  'function_list',
  'journal_mode',
  'case_sensitive_like',
  'collation_list',
]);

const ALWAYS_ALLOWED: ReadonlySet<number> = new Set([ACTION.READ, ACTION.SELECT, ACTION.TRANSACTION, ACTION.SAVEPOINT, ACTION.RECURSIVE]);

/** SQLite's authorizer return values. */
export const AUTH = { OK: 0, DENY: 1 } as const;

export interface AuthorizerDecision {
  readonly allowed: boolean;
  /** What was refused, e.g. `INSERT`, `PRAGMA writable_schema`, `ATTACH`, `load_extension()`. */
  readonly refused?: string;
}

/** Decides one authorizer call. arg1/arg2 are SQLite's first two string arguments (null when absent). */
export function decide(action: number, arg1: string | null, arg2: string | null): AuthorizerDecision {
  if (ALWAYS_ALLOWED.has(action)) return { allowed: true };
  if (action === ACTION.FUNCTION) {
    const name = (arg2 ?? '').toLowerCase();
    if (name === 'load_extension') return { allowed: false, refused: 'load_extension()' };
    return { allowed: true };
  }
  if (action === ACTION.PRAGMA) {
    const pragma = (arg1 ?? '').toLowerCase();
    if (ALLOWED_PRAGMAS.has(pragma)) return { allowed: true };
    return { allowed: false, refused: `PRAGMA ${pragma}` };
  }
  return { allowed: false, refused: ACTION_NAMES[action] ?? `action ${action}` };
}

export function readOnlyMessage(refused: string): string {
  return `not authorized: Quarry is read-only (${refused} refused)`;
}
