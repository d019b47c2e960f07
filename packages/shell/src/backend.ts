/**
 * Where the shell's SQL runs. The local backends hold an Engine (in this thread for one-shot runs, in a worker
 * thread for the interactive shell so Ctrl-C can stop a running query); the remote backend talks to quarryd.
 */
import type { ExtensionTableSpec } from '@quarry/extensions';
import type { ExtensionRow, RegistryRow } from '@quarry/tables';

/** What the shell's extension manager hands the engine (plain data, sent to the engine thread). */
export interface ExtensionsState {
  readonly tables: ExtensionTableSpec[];
  readonly extensions: ExtensionRow[];
  readonly registry: RegistryRow[];
  readonly socket: string;
}
import type { TextResult } from './output/result.js';

export interface StatementOutcome extends TextResult {
  /** SQLite declared/result types per column, when the backend knows them (for `.types`). */
  readonly columnTypes?: readonly string[];
  /** Warnings for the user (printed on stderr in glog style). */
  readonly warnings: readonly string[];
  /** Commits event-table cursors read by this statement; call only after its rows were printed. */
  commit(): Promise<void>;
  /** The rows were not printed (output failed): gives back the drain leases it holds; the cursors stay. */
  release(): Promise<void>;
}

/** A failed statement: SQLite's message and result code (1 error, 9 interrupted, 19 constraint). */
export class StatementError extends Error {
  constructor(
    message: string,
    readonly code: number = 1,
    readonly warnings: readonly string[] = [],
  ) {
    super(message);
    this.name = 'StatementError';
  }
}

export interface TableSummary {
  readonly name: string;
  readonly columns: readonly string[];
}

export interface QueryBackend {
  /** What `.show` prints for where queries run, e.g. `local` or the daemon's URL. */
  readonly description: string;
  /** Runs one statement; throws StatementError. */
  execute(sql: string): Promise<StatementOutcome>;
  /** Table names, sorted, with their column names (for `.tables` and Tab completion). */
  tables(): Promise<TableSummary[]>;
  /** `CREATE TABLE name(...)` text as osquery's `.schema` prints it, or undefined for an unknown table. */
  schemaOf(table: string): Promise<string | undefined>;
  /** Result columns and their types without running the statement (`.types`). */
  columnsOf(sql: string): Promise<{ name: string; type: string }[]>;
  /** The shell's extension manager changed: its tables join the engine, osquery_extensions/osquery_registry list it. Absent for remote backends. */
  setExtensions?(state: ExtensionsState): Promise<void>;
  /** Asks a running statement to stop (it then fails with `interrupted`). */
  interrupt(): void;
  close(): Promise<void>;
}
