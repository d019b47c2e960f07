/**
 * A query worker thread: its own Engine over every table (allTables + the `_events` tables over the event store,
 * opened here as a consumer). Runs one statement text at a time; results wait for `commit` (event cursors move
 * only once the main thread wrote/sent the rows) or `discard`.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';

const debug = process.env.QUARRYD_DEBUG_WORKERS === '1';
import { Engine, QueryError, type QueryResult, type TableDefinition } from '@quarry/sql';
import { allTables, type AgentState } from '@quarry/tables';
import { osqueryEventsTable, type EventStatus } from '@quarry/events';
import { eventTableDeclarations, eventTableFor } from '@quarry/subscribers/declarations';
import { quarryBuffersTable, type EventRingApi, type EventStore } from '@quarry/buffers';
import { openEventStore } from '../store/open-store.js';
import type { DaemonEventStore } from '../store/store-types.js';
import type { AgentSnapshot, CursorCommit, FromWorker, QueryUsage, ToWorker, WorkerInit } from './protocol.js';

if (!parentPort) throw new Error('query-worker.js must run as a worker thread of quarryd');
const port = parentPort;
const init = workerData as WorkerInit;
const send = (message: FromWorker): void => port.postMessage(message);

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

async function main(): Promise<void> {
  let store: (DaemonEventStore & { store: EventStore }) | undefined;
  if (init.openStore) store = await openEventStore(init.databasePath, { role: 'consumer' });
  // Cursor moves are recorded here and applied by the main thread (the store's only writer): LMDB write
  // transactions from several threads of one process can block each other.
  const recorded: CursorCommit[] = [];
  const recordingRing = (ring: EventRingApi): EventRingApi =>
    new Proxy(ring, {
      get(target, property) {
        if (property === 'commit') return (consumer: string, eid: number) => recorded.push({ table: target.subscriber, consumer, eid });
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  const eventTables: TableDefinition[] = [];
  for (const declaration of eventTableDeclarations()) {
    const table = eventTableFor(declaration.name, store ? recordingRing(store.ring(declaration.name)) : undefined);
    if (table) eventTables.push(table);
  }
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
    eventsEnabled: () => init.eventsEnabled,
    interruptSignal: new Int32Array(init.interruptBuffer),
  });
  const pending = new Map<number, QueryResult[]>();
  const lower = (sql: string) => sql.toLowerCase();
  port.on('message', (message: ToWorker) => {
    if (message.type === 'config') {
      currentConfig = message.config;
      flagValues = message.flagValues;
      return;
    }
    if (message.type === 'query') {
      if (message.agent) agent = message.agent;
      if (message.eventStatus) eventStatus = message.eventStatus;
      // CPU and RSS are read only when asked (scheduled queries' osquery_schedule stats): they cost ~15 µs each.
      const start = message.measure
        ? { wall: performance.now(), cpu: process.cpuUsage(), rss: process.memoryUsage.rss() }
        : { wall: performance.now(), cpu: undefined, rss: 0 };
      if (debug) process.stderr.write(`[worker ${threadId}] query ${message.id} start ${message.sql.slice(0, 60)}\n`);
      try {
        const results = engine.execute(message.sql, { consumer: message.consumer, peek: message.peek });
        const last = results[results.length - 1];
        const text = lower(message.sql);
        const touched = [...eventTableNames].filter((name) => text.includes(name));
        // Without an event table nothing waits for delivery: the worker is free at once.
        if (touched.length > 0) pending.set(message.id, results);
        if (debug) process.stderr.write(`[worker ${threadId}] query ${message.id} done\n`);
        send({
          type: 'result',
          id: message.id,
          columns: last ? [...last.columns] : [],
          rows: last ? last.rows : [],
          warnings: results.flatMap((r) => r.warnings),
          usage: usageSince(start),
          eventTables: touched,
        });
      } catch (error) {
        const code = error instanceof QueryError ? error.code : 1;
        send({ type: 'error', id: message.id, message: (error as Error).message ?? String(error), code, usage: usageSince(start) });
      }
      return;
    }
    const results = pending.get(message.id);
    pending.delete(message.id);
    if (debug) process.stderr.write(`[worker ${threadId}] ${message.type} ${message.id}\n`);
    recorded.length = 0;
    if (message.type === 'commit' && results) {
      for (const result of results) {
        try {
          result.commit();
        } catch {
          // a failed cursor move re-delivers next time: never lose rows
        }
      }
    }
    send({ type: 'done', id: message.id, commits: recorded.splice(0) });
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  send({ type: 'startup-error', message: (error as Error)?.stack ?? String(error) });
});
