/**
 * The table contract. A table is data: a name, a description, columns and a synchronous generator.
 * Every package that declares a table (tables/, subscribers/) depends only on these types; the engine
 * (engine.ts) turns each definition into an eponymous SQLite virtual table.
 */

/** osquery's column types, as written in its spec files. */
export type ColumnType = 'TEXT' | 'INTEGER' | 'BIGINT' | 'UNSIGNED BIGINT' | 'DOUBLE' | 'BLOB';

export type Collation = 'nocase' | 'binary' | 'rtrim' | 'version' | 'version_dpkg' | 'version_arch' | 'version_rhel';

export interface ColumnDefinition {
  readonly name: string;
  readonly type: ColumnType;
  readonly description?: string;
  /** osquery's column options. index/additional/required columns receive their constraints. */
  readonly index?: boolean;
  readonly required?: boolean;
  readonly hidden?: boolean;
  readonly additional?: boolean;
  readonly optimized?: boolean;
  readonly collate?: Collation;
  /**
   * Other names the column answers to: osquery's deprecated column aliases (process_events' `access_time` for
   * `atime`). Each becomes a hidden column with the same values; constraints on it reach the generator as
   * constraints on this column.
   */
  readonly aliases?: readonly string[];
}

/** A value a generator may return for a column. `undefined` and missing keys become NULL. */
export type SqlValue = string | number | bigint | Uint8Array | null;
export type Row = Record<string, SqlValue | undefined>;

/** Operators handed to generators. `IN (a, b)` arrives as one '=' constraint per value. */
export type ConstraintOperator = '=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'GLOB';

export interface Constraint {
  readonly column: string;
  readonly operator: ConstraintOperator;
  readonly value: SqlValue;
}

/**
 * Who is reading, for event tables: the consumer whose cursor a drain moves, whether the read is a peek,
 * and hooks run only once the query's rows were delivered (so a crash re-delivers rather than loses).
 */
export interface QuerySession {
  readonly consumer: string;
  readonly peek: boolean;
  /** Run `commit` after the statement finished and its rows were delivered to the caller. */
  afterDelivery(commit: () => void): void;
  /**
   * Run `abandon` instead when the statement failed or its result was dropped undelivered (QueryResult.release()).
   * Exactly one of the afterDelivery hooks and the onAbandon hooks runs. Optional for sessions made outside the engine.
   */
  onAbandon?(abandon: () => void): void;
  /**
   * Names the engine call this statement belongs to (shared by the statements of one multi-statement text): event
   * tables use it as the owner of a consumer's drain lease, so a query never waits for itself.
   */
  readonly drainToken?: string;
  /** A warning for the user (the shell prints it on stderr as osquery's WARNING lines). */
  warn(message: string): void;
}

export interface QueryContext {
  readonly table: string;
  /** Every usable constraint SQLite offered on index / required / additional columns. */
  readonly constraints: readonly Constraint[];
  /** Columns the statement reads from this table. */
  readonly columnsUsed: ReadonlySet<string>;
  readonly session: QuerySession;
  /** Values of every '=' (and IN) constraint on `column`, in order. */
  equals(column: string): SqlValue[];
  /** Every constraint on `column`. */
  constraintsOn(column: string): Constraint[];
  /** True when the column is constrained by any operator. */
  isConstrained(column: string): boolean;
}

export interface TableAttributes {
  /** An `_events` table: the engine warns when events are disabled. */
  readonly eventBased?: boolean;
  /** osquery's user_data: without a uid constraint, only the current user's data. */
  readonly userData?: boolean;
  readonly cacheable?: boolean;
  readonly utility?: boolean;
}

export interface TableDefinition {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly ColumnDefinition[];
  /** Other names the table answers to (a view per alias, as osquery does). */
  readonly aliases?: readonly string[];
  readonly attributes?: TableAttributes;
  /** Synchronous, as osquery's generators. Throwing a QueryError aborts the statement with its message. */
  generate(context: QueryContext): Iterable<Row>;
}

/** An error a user sees as `Error: <message>`; `code` is SQLite's result code (1 error, 19 constraint). */
export class QueryError extends Error {
  constructor(message: string, readonly code: number = 1) {
    super(message);
    this.name = 'QueryError';
  }
}
