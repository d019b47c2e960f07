/**
 * A query worker thread: its own Engine over every table (allTables + the `_events` tables over the event store,
 * opened here as a consumer). Runs batches of statement texts in order; the event cursor moves a result implies are
 * recorded and sent with it, and the main thread applies them only once it wrote/sent the rows.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Engine, QueryError, ResultTooLargeError, StatementError, type ColumnInfo, type Row, type TableDefinition } from '@quarry/sql';
import { allTables, AtcTableSet, ForeignTableSet, type AgentState } from '@quarry/tables';
import { osqueryEventsTable, type EventStatus } from '@quarry/events';
import { builtinEventTables } from '@quarry/subscribers/declarations';
import { isDrainBusy, quarryBuffersTable, type DrainOwner, type EventRingApi, type EventStore } from '@quarry/buffers';
import { openEventStore } from '../store/open-store.js';
import { ExtensionTableSet } from '@quarry/extensions';
import type { DaemonEventStore } from '../store/store-types.js';
import { currentThreadId } from './thread-cpu.js';
import { heldMemory, maxResultBytes, memoryBaseline, overBudget, resultTooLargeMessage } from './worker-memory.js';
import type { AgentSnapshot, CursorCommit, FromWorker, QueryAnswer, QueryMessage, QueryUsage, ToWorker, WorkerInit } from './protocol.js';

if (!parentPort) throw new Error('query-worker.js must run as a worker thread of quarryd');
const port = parentPort;
const init = workerData as WorkerInit;
const send = (message: FromWorker): void => port.postMessage(message);
/** SQLite's out-of-memory result code: with a heap limit set, the statement went over it. */
const SQLITE_NOMEM = 7;

let agent: AgentSnapshot | undefined;
let eventStatus: EventStatus[] = [];
let currentConfig: unknown = {};
let flagValues: Record<string, unknown> = {};
const workerFlags = {
  value: (name: string): unknown => {
    if (!(name in flagValues)) throw new Error(`unknown flag ${name}`);
    return flagValues[name];
  },
  has: (name: string): boolean => name in flagValues,
};

const agentState: AgentState = {
  get startTime() {
    return agent?.startTime ?? Math.floor(Date.now() / 1000);
  },
  get watcherPid() {
    return agent?.watcherPid ?? -1;
  },
  instanceId: () => agent?.instanceId ?? '',
  hostUuid: () => agent?.hostUuid ?? '',
  flagRows: () => agent?.flagRows ?? [],
  configHash: () => agent?.configHash ?? '',
  configValid: () => agent?.configValid ?? false,
  schedule: () => agent?.schedule ?? [],
  packs: () => agent?.packs ?? [],
  registry: () => agent?.registry ?? [],
  extensions: () => agent?.extensions ?? [],
  extensionsSocket: () => agent?.extensionsSocket ?? '',
};

function usageSince(start: { wall: number; cpu: NodeJS.CpuUsage | undefined; rss: number }): QueryUsage {
  if (!start.cpu) return { wallMs: Math.round(performance.now() - start.wall), userMs: 0, systemMs: 0, memory: 0 };
  const cpu = process.cpuUsage(start.cpu);
  return {
    wallMs: Math.round(performance.now() - start.wall),
    userMs: Math.round(cpu.user / 1000),
    systemMs: Math.round(cpu.system / 1000),
    memory: Math.max(0, process.memoryUsage.rss() - start.rss),
  };
}

/** Rows as JSON can carry them: bigint → string, BLOB → UTF-8 text (only rows that hold such values are copied). */
function jsonSafeRows(rows: readonly Row[]): readonly Row[] {
  let out: Row[] | undefined;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    let copy: Row | undefined;
    for (const key in row) {
      const v = row[key];
      if (typeof v === 'bigint' || v instanceof Uint8Array) {
        copy ??= { ...row };
        copy[key] = typeof v === 'bigint' ? v.toString() : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
      }
    }
    if (copy) {
      out ??= rows.slice();
      out[i] = copy;
    }
  }
  return out ?? rows;
}

/** The HTTP answer `{columns, rows, warnings?}`, serialised here so the main thread only forwards a string. */
function httpBody(columns: ColumnInfo[], rows: readonly Row[], warnings: string[]): string {
  return JSON.stringify(warnings.length > 0 ? { columns, rows: jsonSafeRows(rows), warnings } : { columns, rows: jsonSafeRows(rows) });
}

async function main(): Promise<void> {
  let store: (DaemonEventStore & { store: EventStore }) | undefined;
  if (init.openStore) store = await openEventStore(init.databasePath, { role: 'consumer' });
  // Cursor moves are recorded here and applied by the main thread (the store's only writer): LMDB write
  // transactions from several threads of one process can block each other.
  const recorded: CursorCommit[] = [];
  const recordingRing = (ring: EventRingApi): EventRingApi =>
    new Proxy(ring, {
      get(target, property) {
        // (drain leases are taken and given back here directly; a cursor move gives its lease back when applied)
        if (property === 'commit') {
          return (consumer: string, eid: number, owner?: DrainOwner) => recorded.push({ table: target.subscriber, consumer, eid, ...(owner ? { owner } : {}) });
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  const eventTables: TableDefinition[] = builtinEventTables(store, recordingRing);
  const eventTableNames = new Set(eventTables.map((t) => t.name));
  const extra = [...eventTables, osqueryEventsTable(() => eventStatus), ...(store ? [quarryBuffersTable(store.store)] : [])];
  const tables = [
    ...allTables({
      agent: agentState,
      readMax: init.readMax,
      disableTables: init.disableTables,
      enableTables: init.enableTables,
      config: () => currentConfig as never,
      flags: workerFlags,
      extraTableNames: () => extra.map((t) => t.name),
    }),
    ...extra,
  ];
  const engine = await Engine.create({
    tables,
    queryTimeoutMs: init.queryTimeoutMs,
    rowCap: init.rowCap,
    regexMaxSize: init.regexMaxSize,
    ...(init.carverDisableFunction !== undefined ? { carverDisableFunction: init.carverDisableFunction } : {}),
    heapLimitBytes: (init.sqliteHeapLimitMb ?? 0) * 1024 * 1024,
    // a result is capped before it is copied out of SQLite (the copies, the JSON text and the message to the main
    // thread all scale with it); the worker's whole footprint is checked after every batch (overBudget)
    maxResultBytes: maxResultBytes(init.sqliteHeapLimitMb ?? 0),
    // one engine serves every caller in turn: no statement may change what later queries see
    isolateQueries: true,
    eventsEnabled: () => init.eventsEnabled,
    interruptSignal: new Int32Array(init.interruptBuffer),
  });
  const lower = (sql: string) => sql.toLowerCase();
  const running = new Int32Array(init.runningBuffer);
  const runQuery = (message: QueryMessage): QueryAnswer => {
    Atomics.store(running, 0, message.id);
    if (message.agent) agent = message.agent;
    if (message.eventStatus) eventStatus = message.eventStatus;
    // CPU and RSS are read only when asked (scheduled queries' osquery_schedule stats): they cost ~15 µs each.
    const start = message.measure
      ? { wall: performance.now(), cpu: process.cpuUsage(), rss: process.memoryUsage.rss() }
      : { wall: performance.now(), cpu: undefined, rss: 0 };
    try {
      const results = engine.execute(message.sql, { consumer: message.consumer, peek: message.peek });
      const last = results[results.length - 1];
      const text = lower(message.sql);
      const touched: string[] = [];
      for (const name of eventTableNames) if (text.includes(name)) touched.push(name);
      // The only delivery hooks are event cursor moves, which the recording ring captures instead of writing:
      // they travel with the result and the main thread applies them once the rows were delivered (no round trip).
      recorded.length = 0;
      if (touched.length > 0) {
        for (const result of results) {
          try {
            result.commit();
          } catch {
            // a failed cursor move re-delivers next time: never lose rows
          }
        }
      }
      const commits = recorded.splice(0);
      const columns = last ? [...last.columns] : [];
      const rows = last ? last.rows : [];
      const warnings = results.flatMap((r) => r.warnings);
      const usage = usageSince(start);
      if (message.format === 'json') {
        // columns and warnings are inside the body text: not sent twice
        return { type: 'result', id: message.id, columns: [], rows: [], json: httpBody(columns, rows, warnings), warnings: [], usage, eventTables: touched, commits };
      }
      return { type: 'result', id: message.id, columns, rows, warnings, usage, eventTables: touched, commits };
    } catch (error) {
      // Not delivered: the statements that completed before the failing one give their drain leases back.
      if (error instanceof StatementError) for (const completed of error.completed) completed.release();
      const code = error instanceof QueryError ? error.code : 1;
      const overHeap = code === SQLITE_NOMEM && (init.sqliteHeapLimitMb ?? 0) > 0;
      const overResult = (error as Error).cause instanceof ResultTooLargeError || error instanceof ResultTooLargeError;
      return {
        type: 'error',
        id: message.id,
        message: overHeap
          ? `Memory limits exceeded: the query's SQLite heap went over ${init.sqliteHeapLimitMb}MB (--watchdog_memory_limit)`
          : overResult
            ? resultTooLargeMessage(init.sqliteHeapLimitMb ?? 0)
            : ((error as Error).message ?? String(error)),
        code,
        ...(overHeap || overResult ? { memoryLimit: true as const } : {}),
        usage: usageSince(start),
        ...(isDrainBusy(error) ? { drainBusy: true as const } : {}),
      };
    }
  };
  const autoTables = new AtcTableSet(engine);
  const foreignTables = new ForeignTableSet(engine);
  const extensionTables = new ExtensionTableSet(engine, init.extensionCalls ?? { timeoutMs: init.queryTimeoutMs, maxReplyBytes: 64 * 1024 * 1024, defaultIndex: true });
  port.on('message', (message: ToWorker) => {
    if (message.type === 'extension-tables') {
      send({ type: 'extension-problems', problems: extensionTables.apply(message.tables) });
      return;
    }
    if (message.type === 'config') {
      currentConfig = message.config;
      flagValues = message.flagValues;
      const config = message.config as { views?: Record<string, string>; auto_table_construction?: Parameters<AtcTableSet['apply']>[0] } | undefined;
      // --enable_foreign (a config option too) and ATC tables first: a config view may read them.
      foreignTables.apply(message.flagValues?.enable_foreign === true);
      const atcProblems = autoTables.apply(config?.auto_table_construction);
      send({ type: 'config-problems', problems: [...atcProblems, ...engine.setConfigViews(config?.views ?? {})] });
      return;
    }
    // A batch is answered by one message: one wake-up of the main thread per batch.
    const answers = message.queries.map(runQuery);
    Atomics.store(running, 0, 0);
    // Everything the worker holds now (the answers included): over budget, the pool replaces it once it is idle.
    const recycle = overBudget(init.sqliteHeapLimitMb ?? 0, heldMemory(baseline));
    send(recycle ? { type: 'answers', answers, recycle } : { type: 'answers', answers });
  });
  const baseline = memoryBaseline();
  const tid = currentThreadId();
  send(tid !== undefined ? { type: 'ready', tid } : { type: 'ready' });
}

main().catch((error: unknown) => {
  send({ type: 'startup-error', message: (error as Error)?.stack ?? String(error) });
});
