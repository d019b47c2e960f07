/**
 * A bounded least-recently-used map of prepared statements keyed by their SQL text. The engine owns the statements
 * (it resets them between uses and finalizes them); this map only orders them and hands back whatever it evicts.
 */
import type { ColumnInfo, StatementInfo } from './engine.js';
import type { TextReuse } from './wasm-bridge.js';

/** One prepared statement kept for reuse, with what was learned about it when it was prepared. */
export interface CachedStatement {
  readonly sql: string;
  /** sqlite3_stmt pointer (prepared with SQLITE_PREPARE_PERSISTENT). */
  readonly statement: number;
  readonly info: StatementInfo;
  /** The authorizer saw a recursive CTE while preparing (explains deadline / row-cap errors). */
  recursive: boolean;
  /** Virtual-table plans (xBestIndex ids) this statement's program refers to; pinned in the module. */
  planIds: number[];
  /** SQLITE_STMTSTATUS_REPREPARE when `columns`/`reuse` were read (a re-prepare may change them). */
  reprepares: number;
  columns: ColumnInfo[] | undefined;
  names: string[] | undefined;
  reuse: TextReuse | undefined;
}

export class StatementCache {
  private readonly entries = new Map<string, CachedStatement>();

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 0)) {
      throw new Error(`statementCacheSize must be a whole number of statements (0 turns the cache off), got ${capacity}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** The statement for `sql`, marked most recently used; undefined when not kept. */
  get(sql: string): CachedStatement | undefined {
    const entry = this.entries.get(sql);
    if (entry) {
      this.entries.delete(sql);
      this.entries.set(sql, entry);
    }
    return entry;
  }

  /** Keeps `entry`; returns the entries pushed out (least recently used first) for the caller to finalize. */
  add(entry: CachedStatement): CachedStatement[] {
    const evicted: CachedStatement[] = [];
    const previous = this.entries.get(entry.sql);
    if (previous) {
      this.entries.delete(entry.sql);
      if (previous !== entry) evicted.push(previous);
    }
    this.entries.set(entry.sql, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.values().next().value as CachedStatement;
      this.entries.delete(oldest.sql);
      evicted.push(oldest);
    }
    return evicted;
  }

  /** Removes `entry` (if it is still the one kept for its text). */
  delete(entry: CachedStatement): void {
    if (this.entries.get(entry.sql) === entry) this.entries.delete(entry.sql);
  }

  /** Removes and returns every entry. */
  drain(): CachedStatement[] {
    const all = [...this.entries.values()];
    this.entries.clear();
    return all;
  }
}
