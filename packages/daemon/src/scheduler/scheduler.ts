/**
 * osquery's scheduler (reference §3.4) over the query pool: a counter `i` starting at the unix time, +1 per ~1 s
 * loop; a query runs when `i % splayed_interval == 0` (splay persisted) and on the first tick when it has a
 * startup_priority. Per run: `always` decorators → executing_query stored → SQL on a worker (consumer = query
 * name) → stats → result lines written → event cursors committed (only after the lines are on disk).
 * Differential results are kept in LMDB across restarts; event-table queries skip the diff (--events_optimize).
 */
import type { Flags, Pack, ScheduleEntry } from '@quarry/config';
import type { PackRow, ScheduledQueryRow } from '@quarry/tables';
import { QueryFailure, type PooledResult, type QueryPool } from '../pool/query-pool.js';
import { diffRows } from '../results/differential.js';
import { batchLine, eventLines, loggedRow, snapshotEventLines, snapshotLine, type LoggedRow, type ResultHeader } from '../results/result-format.js';
import type { ResultSink } from '../results/result-loggers.js';
import type { StatusLog } from '../status-log.js';
import type { DaemonState, StoredResults } from './daemon-state.js';
import type { Decorators } from './decorators.js';

const DENYLIST_SECONDS = 86400;

interface QueryStats {
  executions: number;
  last_executed: number;
  output_size: number;
  wall_time_ms: number;
  last_wall_time_ms: number;
  user_time: number;
  last_user_time: number;
  system_time: number;
  last_system_time: number;
  total_memory: number;
  last_memory: number;
}

interface Scheduled {
  entry: ScheduleEntry;
  splayed: number;
  stats: QueryStats;
}

interface PackState {
  pack: Pack;
  discoveryHits: number;
  discoveryExecutions: number;
  active: boolean;
  checkedAt: number;
}

export interface RunOutcome {
  name: string;
  ok: boolean;
  wallMs: number;
  lines: number;
  failure?: string;
}

export interface SchedulerDeps {
  flags: Flags;
  pool: QueryPool;
  state: DaemonState;
  sink: ResultSink;
  log: StatusLog;
  decorators: Decorators;
  hostIdentifier: () => string;
  watchdogEnabled: boolean;
  onRun?: (outcome: RunOutcome) => void;
  onScheduleChanged?: () => void;
  /** --schedule_timeout reached. */
  onTimeout?: () => void;
}

function emptyStats(): QueryStats {
  return { executions: 0, last_executed: 0, output_size: 0, wall_time_ms: 0, last_wall_time_ms: 0, user_time: 0, last_user_time: 0, system_time: 0, last_system_time: 0, total_memory: 0, last_memory: 0 };
}

export class Scheduler {
  private queries = new Map<string, Scheduled>();
  private packs = new Map<string, PackState>();
  private denied: Map<string, number>;
  private readonly warnedDenied = new Set<string>();
  private tick = Math.floor(Date.now() / 1000);
  private readonly startTick = this.tick;
  private first = true;
  private stopped = true;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly deps: SchedulerDeps) {
    this.denied = deps.state.failedQueries();
    const previous = deps.state.executingQuery();
    if (previous !== '') {
      deps.log.warning(`Scheduled query may have failed: ${previous}`, 'scheduler');
      if (deps.watchdogEnabled) {
        this.denied.set(previous, Math.floor(Date.now() / 1000) + DENYLIST_SECONDS);
        deps.state.saveFailedQueries(this.denied);
      }
      deps.state.setExecutingQuery('');
    }
  }

  /** Applies a (re)loaded schedule; stats are kept unless the query's SQL or interval changed. */
  setSchedule(entries: ScheduleEntry[], packs: Record<string, Pack>): void {
    const splayPercent = this.deps.flags.number('schedule_splay_percent');
    const next = new Map<string, Scheduled>();
    for (const entry of entries) {
      const old = this.queries.get(entry.name);
      const same = old && old.entry.query === entry.query && old.entry.interval === entry.interval;
      next.set(entry.name, {
        entry,
        splayed: this.deps.state.splayedInterval(entry.name, entry.interval, splayPercent),
        stats: same ? old.stats : emptyStats(),
      });
    }
    this.queries = next;
    const nextPacks = new Map<string, PackState>();
    for (const [name, pack] of Object.entries(packs)) {
      const old = this.packs.get(name);
      nextPacks.set(name, old && JSON.stringify(old.pack.discovery) === JSON.stringify(pack.discovery) ? { ...old, pack } : { pack, discoveryHits: 0, discoveryExecutions: 0, active: pack.discovery.length === 0, checkedAt: 0 });
    }
    this.packs = nextPacks;
    this.deps.onScheduleChanged?.();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.runLoop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async runLoop(): Promise<void> {
    const timeout = this.deps.flags.number('schedule_timeout');
    // osquery's --schedule_max_drift: a tick longer than a second puts the loop behind; the time owed ("drift") is
    // made up by sleeping less on the following ticks, and dropped (logged) once it exceeds the flag's seconds.
    const maxDriftMs = this.deps.flags.number('schedule_max_drift') * 1000;
    let driftMs = 0;
    while (!this.stopped) {
      const began = Date.now();
      try {
        await this.runDue(this.tick);
        if (this.tick % 60 === 0) await this.deps.decorators.runInterval(this.tick);
      } catch (error) {
        this.deps.log.error(`Scheduler tick failed: ${(error as Error).message}`, 'scheduler');
      }
      this.first = false;
      this.tick++;
      if (timeout > 0 && this.tick - this.startTick >= timeout) {
        this.deps.log.info(`Scheduler ending after --schedule_timeout=${timeout}`, 'scheduler');
        this.deps.onTimeout?.();
        return;
      }
      let wait = 1000 - (Date.now() - began) - driftMs;
      if (wait < 0) {
        driftMs = -wait;
        wait = 0;
        if (driftMs > maxDriftMs) {
          this.deps.log.info(`Scheduler drift of ${driftMs} ms exceeds --schedule_max_drift=${maxDriftMs / 1000}s: dropped`, 'scheduler');
          driftMs = 0;
        }
      } else {
        driftMs = 0;
      }
      if (wait > 0 && !this.stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  private async runDue(tick: number): Promise<void> {
    for (const scheduled of this.queries.values()) {
      if (this.stopped) return;
      const startup = this.first && scheduled.entry.startupPriority !== undefined;
      if (!startup && tick % scheduled.splayed !== 0) continue;
      if (!(await this.packActive(scheduled.entry.pack))) continue;
      if (this.isDenied(scheduled)) continue;
      await this.runQuery(scheduled);
    }
  }

  private async packActive(name: string): Promise<boolean> {
    const state = this.packs.get(name);
    if (!state || state.pack.discovery.length === 0) return true;
    const now = Math.floor(Date.now() / 1000);
    const refresh = this.deps.flags.number('pack_refresh_interval');
    if (state.checkedAt > 0 && now - state.checkedAt < refresh) {
      state.discoveryHits++;
      return state.active;
    }
    state.checkedAt = now;
    let active = true;
    for (const sql of state.pack.discovery) {
      state.discoveryExecutions++;
      try {
        const result = await this.deps.pool.run({ sql, consumer: `pack_discovery_${name}`, peek: true });
        result.discard();
        if (result.rows.length === 0) {
          active = false;
          break;
        }
      } catch (error) {
        this.deps.log.warning(`Discovery query failed for pack ${name}: ${(error as Error).message}`, 'scheduler');
        active = false;
        break;
      }
    }
    state.active = active;
    return active;
  }

  private isEventOnly(scheduled: Scheduled): boolean {
    return /\b[a-z0-9_]+_events\b/i.test(scheduled.entry.query) && !/\bfrom\s+(?![a-z0-9_]+_events\b)[a-z]/i.test(scheduled.entry.query);
  }

  private isDenied(scheduled: Scheduled): boolean {
    const name = scheduled.entry.name;
    const expiry = this.denied.get(name);
    if (expiry === undefined) return false;
    const now = Math.floor(Date.now() / 1000);
    const enforce = scheduled.entry.denylist && !(this.isEventOnly(scheduled) && !this.deps.flags.bool('events_enforce_denylist'));
    if (expiry <= now || !enforce) {
      if (expiry <= now) this.deps.log.info(`Scheduled denylisted query has expired: ${name}`, 'scheduler');
      this.denied.delete(name);
      this.warnedDenied.delete(name);
      this.deps.state.saveFailedQueries(this.denied);
      return false;
    }
    if (!this.warnedDenied.has(name)) {
      this.warnedDenied.add(name);
      this.deps.log.warning(`The caller does not want denied queries, skipping denied scheduled query: ${name}`, 'scheduler');
    }
    return true;
  }

  /** Runs one scheduled query now (the loop calls this; tests may too). */
  async runQuery(scheduled: Scheduled): Promise<RunOutcome> {
    const { entry } = scheduled;
    const { flags, log, state } = this.deps;
    if (flags.bool('schedule_lognames')) log.info(`Executing scheduled query ${entry.name}: ${entry.query}`, 'scheduler');
    await this.deps.decorators.runAlways();
    state.setExecutingQuery(entry.name);
    const started = Date.now();
    let result: PooledResult;
    try {
      result = await this.deps.pool.run({ sql: entry.query, consumer: entry.name, measure: true });
    } catch (error) {
      const failure = error instanceof QueryFailure ? error : new QueryFailure(String((error as Error).message), 'crash');
      if ((failure.kind === 'timeout' || failure.kind === 'memory' || failure.kind === 'crash') && this.deps.watchdogEnabled && entry.denylist) {
        this.denied.set(entry.name, Math.floor(Date.now() / 1000) + DENYLIST_SECONDS);
        state.saveFailedQueries(this.denied);
        log.warning(`Scheduled query ${entry.name} was stopped by the watchdog (${failure.message}); denylisted for ${DENYLIST_SECONDS} s`, 'watchdog');
      }
      state.setExecutingQuery('');
      log.error(`Error executing scheduled query ${entry.name}: ${failure.message}`, 'scheduler');
      const outcome = { name: entry.name, ok: false, wallMs: Date.now() - started, lines: 0, failure: failure.kind };
      this.deps.onRun?.(outcome);
      return outcome;
    }
    state.setExecutingQuery('');
    let lines = 0;
    try {
      // Everything from here to the commit is inside the try: whatever fails, the result is discarded, which gives
      // back its drain leases at once instead of leaving the query's consumer busy until they expire.
      const unixTime = Math.floor(Date.now() / 1000);
      const numerics = flags.bool('logger_numerics');
      const types = new Map(result.columns.map((c) => [c.name, c.type]));
      const rows = result.rows.map((row) => loggedRow(row, types, numerics));
      this.recordStats(scheduled, result, rows, unixTime);
      const header: ResultHeader = {
        name: entry.name,
        hostIdentifier: this.deps.hostIdentifier(),
        unixTime,
        epoch: flags.number('schedule_epoch'),
        counter: 0,
        numerics,
        decorations: this.deps.decorators.decorations(),
        decorationsTopLevel: flags.bool('decorations_top_level'),
      };
      const written = this.writeResults(scheduled, header, rows, result.eventTables.length > 0);
      lines = written.lines;
      if (lines > 0) this.deps.sink.flush();
      // The new baseline and the event cursors move only after the lines are written and flushed: a crash or a
      // write error before this point logs the same differences again on the next run instead of losing them.
      if (written.baseline) state.saveResults(entry.name, written.baseline);
      await result.commit();
    } catch (error) {
      result.discard();
      log.error(`Could not log results of scheduled query ${entry.name}: ${(error as Error).message}`, 'scheduler');
      const outcome = { name: entry.name, ok: false, wallMs: Date.now() - started, lines, failure: 'logging' };
      this.deps.onRun?.(outcome);
      return outcome;
    }
    const outcome = { name: entry.name, ok: true, wallMs: Date.now() - started, lines };
    this.deps.onRun?.(outcome);
    return outcome;
  }

  /** Writes the result lines; returns how many, and the differential baseline to save once they are flushed. */
  private writeResults(scheduled: Scheduled, header: ResultHeader, rows: LoggedRow[], eventQuery: boolean): { lines: number; baseline?: StoredResults } {
    const { entry } = scheduled;
    const { flags, sink, state } = this.deps;
    if (entry.snapshot) {
      if (flags.bool('logger_snapshot_event_type')) {
        const lines = snapshotEventLines(header, rows);
        for (const line of lines) sink.logSnapshot(line);
        return { lines: lines.length };
      }
      sink.logSnapshot(snapshotLine(header, rows));
      return { lines: 1 };
    }
    const previous = state.results(entry.name);
    let added: LoggedRow[];
    let removed: LoggedRow[];
    let counter: number;
    let baseline: StoredResults;
    if (eventQuery && flags.bool('events_optimize')) {
      added = rows;
      removed = [];
      const fresh = !previous || previous.epoch !== header.epoch || previous.sql !== entry.query;
      const base = fresh ? 0 : previous.counter;
      counter = rows.length > 0 ? base + 1 : base;
      baseline = { rows: [], counter, epoch: header.epoch, sql: entry.query };
    } else if (!previous || previous.epoch !== header.epoch || previous.sql !== entry.query) {
      added = rows;
      removed = [];
      counter = 0;
      baseline = { rows, counter, epoch: header.epoch, sql: entry.query };
    } else {
      const diff = diffRows(previous.rows, rows);
      added = diff.added;
      removed = entry.removed ? diff.removed : [];
      const changed = diff.added.length > 0 || diff.removed.length > 0;
      counter = changed ? previous.counter + 1 : previous.counter;
      baseline = { rows, counter, epoch: header.epoch, sql: entry.query };
    }
    header.counter = counter;
    if (!flags.bool('logger_event_type')) {
      if (added.length === 0 && removed.length === 0 && previous) return { lines: 0, baseline };
      sink.logString(batchLine(header, removed, added));
      return { lines: 1, baseline };
    }
    const lines = eventLines(header, removed, added);
    for (const line of lines) sink.logString(line);
    return { lines: lines.length, baseline };
  }

  private recordStats(scheduled: Scheduled, result: PooledResult, rows: LoggedRow[], now: number): void {
    const s = scheduled.stats;
    const usage = result.usage;
    let size = 0;
    for (const row of rows) for (const [key, value] of Object.entries(row)) size += key.length + String(value).length;
    s.executions++;
    s.last_executed = now;
    s.output_size += size;
    s.wall_time_ms += usage.wallMs;
    s.last_wall_time_ms = usage.wallMs;
    s.user_time += usage.userMs;
    s.last_user_time = usage.userMs;
    s.system_time += usage.systemMs;
    s.last_system_time = usage.systemMs;
    s.total_memory += usage.memory;
    s.last_memory = usage.memory;
  }

  /** osquery_schedule rows. */
  rows(): ScheduledQueryRow[] {
    const now = Math.floor(Date.now() / 1000);
    return [...this.queries.values()].map(({ entry, stats: s }) => {
      const expiry = this.denied.get(entry.name);
      return {
        name: entry.name,
        query: entry.query,
        interval: entry.interval,
        executions: s.executions,
        last_executed: s.last_executed,
        denylisted: expiry !== undefined && expiry > now ? 1 : 0,
        output_size: s.output_size,
        wall_time: Math.floor(s.wall_time_ms / 1000),
        wall_time_ms: s.wall_time_ms,
        last_wall_time_ms: s.last_wall_time_ms,
        user_time: s.user_time,
        last_user_time: s.last_user_time,
        system_time: s.system_time,
        last_system_time: s.last_system_time,
        average_memory: s.executions > 0 ? Math.floor(s.total_memory / s.executions) : 0,
        last_memory: s.last_memory,
      };
    });
  }

  packRows(): PackRow[] {
    return [...this.packs.values()].map((p) => ({
      name: p.pack.name,
      platform: p.pack.platform ?? '',
      version: p.pack.version ?? '',
      shard: p.pack.shard ?? 0,
      discovery_cache_hits: p.discoveryHits,
      discovery_executions: p.discoveryExecutions,
      active: p.active || p.pack.discovery.length === 0 ? 1 : 0,
    }));
  }

  names(): string[] {
    return [...this.queries.keys()];
  }

  /** Runs a scheduled query by name now (tests, diagnostics). */
  async runByName(name: string): Promise<RunOutcome | undefined> {
    const scheduled = this.queries.get(name);
    return scheduled ? this.runQuery(scheduled) : undefined;
  }
}
