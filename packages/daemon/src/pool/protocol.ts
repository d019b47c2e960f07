/** Messages between quarryd's main thread and its query worker threads. */
import type { EventStatus } from '@quarry/events';
import type { ColumnInfo, Row } from '@quarry/sql';
import type { DrainOwner } from '@quarry/buffers';
import type { ExtensionTableSpec } from '@quarry/extensions';
import type { ExtensionRow, FlagRow, PackRow, RegistryRow, ScheduledQueryRow } from '@quarry/tables';

/** Everything the osquery_* tables show, copied from the main thread (versioned: resent only when it changed). */
export interface AgentSnapshot {
  version: number;
  startTime: number;
  instanceId: string;
  hostUuid: string;
  watcherPid: number;
  flagRows: FlagRow[];
  configHash: string;
  configValid: boolean;
  schedule: ScheduledQueryRow[];
  packs: PackRow[];
  registry: RegistryRow[];
  extensions?: ExtensionRow[];
  extensionsSocket?: string;
}

export interface WorkerInit {
  databasePath: string;
  /** False: no event store is opened (e.g. --disable_events with no database). */
  openStore: boolean;
  readMax: number;
  disableTables: string;
  enableTables: string;
  eventsEnabled: boolean;
  queryTimeoutMs: number;
  rowCap: number;
  /** --regex_max_size: the longest pattern regex_match / regex_split accept (bytes). */
  regexMaxSize: number;
  /** --carver_disable_function (default true): carve() returns 'Carve Failed:'; false: carve() fails (no carver). */
  carverDisableFunction?: boolean;
  /** The watchdog memory limit (MB) applied to the worker's SQLite heap too (PRAGMA hard_heap_limit); 0: none. */
  sqliteHeapLimitMb?: number;
  /** Extension table calls: bound (ms) and largest answer (bytes); --extensions_default_index. */
  extensionCalls?: { timeoutMs: number; maxReplyBytes: number; defaultIndex: boolean };
  interruptBuffer: SharedArrayBuffer;
  /** Int32 [0]: id of the query the worker is running now (0 between queries): the watchdog blames that one. */
  runningBuffer: SharedArrayBuffer;
}

/** One query. `format: 'json'`: the worker answers with the HTTP body text instead of rows (serialised once, there). */
export interface QueryMessage {
  id: number;
  sql: string;
  consumer: string;
  peek: boolean;
  measure: boolean;
  format: 'rows' | 'json';
  agent?: AgentSnapshot;
  eventStatus?: EventStatus[];
}

/**
 * Queries travel in batches: everything dispatched to one worker in one event-loop turn is one postMessage (and the
 * worker answers a batch with one message), so a burst of requests costs one thread wake-up, not one per request.
 */
export type ToWorker =
  | { type: 'queries'; queries: QueryMessage[] }
  | { type: 'config'; config: unknown; flagValues: Record<string, unknown> }
  /** The extension manager's tables now (the whole list): the worker attaches and removes tables to match. */
  | { type: 'extension-tables'; tables: ExtensionTableSpec[] };

export interface QueryUsage {
  wallMs: number;
  userMs: number;
  systemMs: number;
  /** RSS growth during the query, bytes (process-wide; 0 when it shrank). */
  memory: number;
}

export type QueryAnswer =
  | {
      type: 'result';
      id: number;
      columns: ColumnInfo[];
      /** Empty when the query asked for `format: 'json'` (as are `columns` and `warnings`: they are in `json`). */
      rows: Row[];
      /** `{"columns":[...],"rows":[...]}` (+ `"warnings"`), when the query asked for `format: 'json'`. */
      json?: string;
      warnings: string[];
      usage: QueryUsage;
      eventTables: string[];
      /** The cursor moves delivering these rows implies; the main thread applies them once the rows were delivered. */
      commits: CursorCommit[];
    }
  | {
      type: 'error';
      id: number;
      message: string;
      code: number;
      usage: QueryUsage;
      /** Another drain of the same consumer holds its drain lease (nothing was read): HTTP answers 409. */
      drainBusy?: true;
      /** The statement went over the SQLite heap limit (SQLITE_NOMEM): a watchdog memory stop, not an SQL error. */
      memoryLimit?: true;
    };

/** `ready.tid`: the worker's kernel thread id (the CPU watchdog reads /proc/self/task/<tid>/stat); absent without /proc. */
export type FromWorker =
  | { type: 'ready'; tid?: number }
  | { type: 'startup-error'; message: string }
  /** `recycle`: the worker holds more than its memory budget (the reason); the pool replaces it once it is idle. */
  | { type: 'answers'; answers: QueryAnswer[]; recycle?: string }
  /** The config's `views` that could not be created in this worker's engine (one message per config received). */
  | { type: 'config-problems'; problems: string[] }
  /** Extension tables this worker could not attach (one message per extension-tables message). */
  | { type: 'extension-problems'; problems: string[] };

/** A consumer cursor move a worker's query asked for; the main thread applies it. */
export interface CursorCommit {
  table: string;
  consumer: string;
  eid: number;
  /** The drain whose lease the move gives back (in the same transaction); delivered or not, it must be given back. */
  owner?: DrainOwner;
}
