/** Messages between quarryd's main thread and its query worker threads. */
import type { EventStatus } from '@quarry/events';
import type { ColumnInfo, Row } from '@quarry/sql';
import type { FlagRow, PackRow, RegistryRow, ScheduledQueryRow } from '@quarry/tables';

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
  interruptBuffer: SharedArrayBuffer;
}

export type ToWorker =
  | { type: 'query'; id: number; sql: string; consumer: string; peek: boolean; measure: boolean; agent?: AgentSnapshot; eventStatus?: EventStatus[] }
  | { type: 'config'; config: unknown; flagValues: Record<string, unknown> }
  | { type: 'commit'; id: number }
  | { type: 'discard'; id: number };

export interface QueryUsage {
  wallMs: number;
  userMs: number;
  systemMs: number;
  /** RSS growth during the query, bytes (process-wide; 0 when it shrank). */
  memory: number;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'startup-error'; message: string }
  | { type: 'result'; id: number; columns: ColumnInfo[]; rows: Row[]; warnings: string[]; usage: QueryUsage; eventTables: string[] }
  | { type: 'error'; id: number; message: string; code: number; usage: QueryUsage }
  | { type: 'done'; id: number; commits: CursorCommit[] };

/** A consumer cursor move a worker's query asked for; the main thread applies it. */
export interface CursorCommit {
  table: string;
  consumer: string;
  eid: number;
}
