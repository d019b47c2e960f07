/**
 * Distributed queries (osquery's Distributed with the tls plugin): every --distributed_interval seconds POST the
 * node_key to --distributed_tls_read_endpoint; run each query whose discovery query (if any) returns rows; POST the
 * rows, `statuses` (SQLite result codes, 0 = ok) and `messages` (the error text) to --distributed_tls_write_endpoint.
 * `accelerate: N` in an answer polls every ACCELERATED_INTERVAL seconds for N seconds.
 *
 * Denylist: a query that stopped a query worker (crash, timeout, memory) is denylisted for
 * --distributed_denylist_duration seconds; so is one that was running when quarryd itself died (it is recorded,
 * durably, before it runs). A denylisted query is answered with status 1 and a message, without running.
 */
import { createHash } from 'node:crypto';
import type { KeyValueStore } from '@quarry/buffers';
import type { JsonObject } from './tls-client.js';
import type { FleetLog, RemoteSession } from './remote-session.js';

export const ACCELERATED_INTERVAL = 5;
const RUNNING_KEY = 'distributed_running';
const DENYLIST_PREFIX = 'distributed_denylist:';

/** How a query failed: `kind` as the daemon's query pool names it, `code` the SQLite result code. */
export interface DistributedFailure {
  kind: string;
  code: number;
  message: string;
}

export interface DistributedRun {
  rows: Record<string, string>[];
  wallMs: number;
}

export interface DistributedOptions {
  session: RemoteSession;
  state: KeyValueStore;
  log: FleetLog;
  readEndpoint: string;
  writeEndpoint: string;
  intervalSeconds: number;
  maxAttempts: number;
  denylistSeconds: number;
  logInfo: boolean;
  /** Runs one query; rejects with a DistributedFailure-shaped error. */
  run: (sql: string) => Promise<DistributedRun>;
}

/** Kinds of failure that stopped a worker: the query is denylisted. */
const WORKER_STOPPING = new Set(['crash', 'timeout', 'memory']);

const sqlKey = (sql: string) => DENYLIST_PREFIX + createHash('sha1').update(sql).digest('hex');

export class DistributedQueries {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private acceleratedUntil = 0;
  private polling: Promise<void> | undefined;
  private lastError = '';
  readonly counters = { reads: 0, executed: 0, failed: 0, denied: 0, writes: 0, failedRequests: 0 };

  constructor(private readonly options: DistributedOptions) {
    // A query recorded as running when quarryd died is the likely cause: it is denylisted before anything runs.
    const crashed = options.state.get(RUNNING_KEY);
    if (crashed) {
      this.denylist(crashed, 'it was running when quarryd stopped unexpectedly');
      options.state.putSync(RUNNING_KEY, '');
    }
  }

  start(): void {
    this.scheduleNext(0);
  }

  private scheduleNext(delayMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.pollOnce().finally(() => this.scheduleNext(this.intervalMs()));
    }, delayMs);
    this.timer.unref();
  }

  private intervalMs(): number {
    const base = Math.max(1, this.options.intervalSeconds);
    return (Date.now() < this.acceleratedUntil ? Math.min(base, ACCELERATED_INTERVAL) : base) * 1000;
  }

  /** One read, run and write. Never throws; failures are logged (once per distinct message). */
  pollOnce(): Promise<void> {
    this.polling ??= this.poll()
      .catch((error) => {
        this.counters.failedRequests++;
        const message = (error as Error).message;
        if (message !== this.lastError) this.options.log.warning(`distributed: ${message}`);
        this.lastError = message;
      })
      .finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async poll(): Promise<void> {
    const { session, readEndpoint, writeEndpoint, maxAttempts, log } = this.options;
    if (readEndpoint === '' || writeEndpoint === '') throw new Error('--distributed_tls_read_endpoint and --distributed_tls_write_endpoint must both be set');
    const answer = await session.request(readEndpoint, {}, maxAttempts);
    this.counters.reads++;
    this.lastError = '';
    if (typeof answer.accelerate === 'number' && answer.accelerate > 0) this.acceleratedUntil = Date.now() + answer.accelerate * 1000;
    const queries = stringMap(answer.queries, 'queries');
    const discovery = stringMap(answer.discovery, 'discovery');
    const ids = Object.keys(queries);
    if (ids.length === 0) return;
    const results: Record<string, Record<string, string>[]> = {};
    const statuses: Record<string, number> = {};
    const messages: Record<string, string> = {};
    const stats: Record<string, JsonObject> = {};
    for (const id of ids) {
      if (this.closed) return;
      const discoverySql = discovery[id];
      if (discoverySql !== undefined && !(await this.discovered(id, discoverySql))) continue;
      const sql = queries[id]!;
      const denied = this.deniedUntil(sql);
      if (denied > 0) {
        this.counters.denied++;
        results[id] = [];
        statuses[id] = 1;
        messages[id] = `the query is denylisted until ${new Date(denied * 1000).toISOString()} (it stopped a query worker before)`;
        continue;
      }
      if (this.options.logInfo) log.info(`Executing distributed query: ${id}: ${sql}`);
      this.options.state.putSync(RUNNING_KEY, sql);
      try {
        const run = await this.options.run(sql);
        this.counters.executed++;
        results[id] = run.rows;
        statuses[id] = 0;
        stats[id] = { wall_time_ms: run.wallMs };
      } catch (error) {
        const failure = error as Partial<DistributedFailure> & Error;
        this.counters.failed++;
        results[id] = [];
        statuses[id] = typeof failure.code === 'number' && failure.code !== 0 ? failure.code : 1;
        messages[id] = failure.message ?? String(error);
        if (failure.kind !== undefined && WORKER_STOPPING.has(failure.kind)) this.denylist(sql, `it stopped a query worker (${failure.kind}: ${failure.message})`, id);
      } finally {
        this.options.state.putSync(RUNNING_KEY, '');
      }
    }
    if (Object.keys(statuses).length === 0) return;
    await session.request(writeEndpoint, { queries: results, statuses, messages, stats }, maxAttempts);
    this.counters.writes++;
  }

  private async discovered(id: string, sql: string): Promise<boolean> {
    try {
      return (await this.options.run(sql)).rows.length > 0;
    } catch (error) {
      this.options.log.warning(`distributed: discovery query of ${id} failed (${(error as Error).message}); ${id} is not run`);
      return false;
    }
  }

  private deniedUntil(sql: string): number {
    const expiry = Number(this.options.state.get(sqlKey(sql)) ?? 0);
    return expiry > Date.now() / 1000 ? expiry : 0;
  }

  private denylist(sql: string, why: string, id = ''): void {
    const seconds = this.options.denylistSeconds;
    if (seconds <= 0) return;
    this.options.state.putSync(sqlKey(sql), String(Math.floor(Date.now() / 1000) + seconds));
    this.options.log.warning(`distributed: query ${id ? `${id} ` : ''}denylisted for ${seconds} s because ${why}: ${sql}`);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.polling;
  }
}

function stringMap(value: unknown, name: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`the read answer's ${name} is not an object of id → SQL`);
  const out: Record<string, string> = {};
  for (const [id, sql] of Object.entries(value)) {
    if (typeof sql !== 'string') throw new Error(`the read answer's ${name}.${id} is not a SQL string`);
    out[id] = sql;
  }
  return out;
}
