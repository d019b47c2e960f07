/**
 * A small pool of query worker threads (--worker_threads). Each job runs on one worker; the main thread never
 * runs SQL. The watchdog lives here: a job that outlives its deadline (plus a grace period for generators that
 * never yield to the engine's progress handler) or the worker's heap limit (--watchdog_memory_limit) is stopped
 * by terminating its worker, which is then respawned; the jobs queued behind it on that worker run again elsewhere
 * (once). The queue is bounded: a full queue refuses at once.
 *
 * CPU (osquery's --watchdog_utilization_limit / --watchdog_latency_limit, see cpu-watchdog.ts): every 3 s the pool
 * reads each busy worker thread's user+system time from /proc/self/task/<tid>/stat; a worker over its limit for the
 * latency limit is stopped like one over the memory limit (kind 'memory': a watchdog resource limit — same HTTP
 * status, same denylisting), with osquery's message. Idle workers are not read (their threads are never woken).
 *
 * Throughput: jobs dispatched to a worker in one event-loop turn travel as one message and are answered by one
 * message (a thread wake-up per batch, not per query); HTTP jobs come back as the JSON body text, serialised on the
 * worker; event cursor moves come with the answer and are applied on delivery (no commit round trip).
 */
import { Worker } from 'node:worker_threads';
import type { EventStatus } from '@quarry/events';
import type { ColumnInfo, Row } from '@quarry/sql';
import type { ExtensionTableSpec } from '@quarry/extensions';
import type { AgentSnapshot, CursorCommit, FromWorker, QueryAnswer, QueryMessage, QueryUsage, ToWorker, WorkerInit } from './protocol.js';
import { judgeCpu, type CpuLimits, type CpuReading, type CpuVerdict } from './cpu-watchdog.js';
import { clockTicksPerSecond, readThreadCpuMs } from './thread-cpu.js';

/**
 * 'memory': a watchdog resource limit stopped the worker (its memory limit or its CPU limit; the message says which).
 * 'drain-busy': another drain of the same event consumer was running; nothing was read.
 */
export type FailureKind = 'sql' | 'timeout' | 'memory' | 'crash' | 'busy' | 'closed' | 'drain-busy';

export class QueryFailure extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly code = 1,
    readonly usage?: QueryUsage,
  ) {
    super(message);
    this.name = 'QueryFailure';
  }
}

export interface QueryJob {
  sql: string;
  consumer?: string;
  peek?: boolean;
  /** Hard deadline in ms for this job (default: the pool's). */
  deadlineMs?: number;
  /** Measure CPU time and memory (osquery_schedule stats). */
  measure?: boolean;
  /** 'json': the worker serialises the HTTP body `{columns, rows, warnings?}` into `PooledResult.json` (rows stay empty). */
  format?: 'rows' | 'json';
}

export interface PooledResult {
  columns: ColumnInfo[];
  rows: Row[];
  /** The HTTP body text, when the job asked for `format: 'json'` (then `columns`, `rows` and `warnings` are empty). */
  json?: string;
  warnings: string[];
  usage: QueryUsage;
  /** `_events` tables the SQL names. */
  eventTables: string[];
  /** True when `commit()` has event cursors to move (the result read rows from a consumer). */
  movesCursors: boolean;
  /** Move event cursors (call after the rows were written or sent). */
  commit(): Promise<void>;
  /** Drop the result without moving cursors. */
  discard(): void;
}

export interface PoolOptions {
  size: number;
  init: Omit<WorkerInit, 'interruptBuffer' | 'runningBuffer'>;
  /** Jobs waiting beyond the running ones; more are refused with kind 'busy'. */
  queueLimit: number;
  /** Deadline the pool enforces by terminating the worker (ms). */
  deadlineMs: number;
  /** Worker heap limit in MB (0 = Node's default). */
  memoryLimitMb: number;
  onWorkerStopped?: (reason: string) => void;
  /** CPU limits per worker thread (undefined: not enforced, e.g. --disable_watchdog). */
  cpuLimits?: CpuLimits;
  /** Called with each CPU check of a busy worker (--enable_watchdog_debug); also for idle ones when set. */
  onCpuCheck?: (check: CpuCheck) => void;
  /** Config views a worker could not create (every worker reports the same ones: deduplicate). */
  onConfigProblems?: (problems: string[]) => void;
  /** Extension tables a worker could not attach. */
  onExtensionProblems?: (problems: string[]) => void;
  /** Applies the cursor moves of a committed result (the main thread is the store's only writer). */
  applyCommits?: (commits: CursorCommit[]) => void;
  /** Gives back the drain leases of a result dropped undelivered (the cursors stay). */
  releaseDrains?: (commits: CursorCommit[]) => void;
  /**
   * Extends the drain leases of a result still being delivered (a slow HTTP client reading a large body), so a
   * delivery that takes longer than the lease's expiry (10 minutes) keeps it. Called every `drainRenewMs`.
   */
  renewDrains?: (commits: CursorCommit[]) => void;
  /** How often an undelivered result's drain leases are renewed (default 60 s; for at most DRAIN_RENEW_MAX_MS). */
  drainRenewMs?: number;
}

/**
 * A result neither delivered nor dropped after this long stops renewing its leases (they then expire): a caller that
 * forgot both must not keep a consumer locked forever.
 */
export const DRAIN_RENEW_MAX_MS = 60 * 60 * 1000;

/** One CPU measurement of one worker thread (--enable_watchdog_debug logs these). */
export interface CpuCheck extends CpuVerdict {
  /** Position of the worker in the pool. */
  worker: number;
  /** Kernel thread id of the worker. */
  tid: number;
  /** The query the worker runs (pool job id; 0: idle). */
  runningId: number;
  /** False during --watchdog_delay after the worker started. */
  enforcing: boolean;
}

interface Slot {
  worker: Worker;
  /** Kernel thread id (from the worker's ready message); undefined until ready or without /proc. */
  tid?: number;
  /** When the worker was spawned (performance.now() ms): --watchdog_delay counts from here. */
  startedAt: number;
  /** The previous CPU reading of the worker's thread, and the count of consecutive over-limit checks. */
  cpu?: CpuReading;
  sustained: number;
  ready: Promise<void>;
  /** Not ready yet (starting). */
  busy: boolean;
  agentVersion: number;
  interrupt: Int32Array;
  /** [0]: id of the job the worker runs now (answers of a batch travel together, so the head is not always it). */
  running: Int32Array;
  /** Jobs sent to the worker, oldest first; the worker runs them in order (the head is the one running). */
  inflight: Running[];
  /** Jobs dispatched in this event-loop turn, posted together (one message, one wake-up) by `flush`. */
  outbox: QueryMessage[];
  flushing: boolean;
  /** The worker holds more memory than its budget (the reason): no new jobs; replaced once its jobs are answered. */
  retiring?: string;
}

interface Running {
  id: number;
  requeued?: boolean;
  job: QueryJob;
  resolve(result: PooledResult): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
  finished: boolean;
}

interface Waiting {
  job: QueryJob;
  resolve(result: PooledResult): void;
  reject(error: Error): void;
  /** Already put back once after its worker was stopped for another job. */
  requeued?: boolean;
}

const workerUrl = new URL('./query-worker.js', import.meta.url);
const PIPELINE_DEPTH = 4;

export class QueryPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Waiting[] = [];
  private nextId = 1;
  private agent: AgentSnapshot | undefined;
  private configMessage: ToWorker | undefined;
  private extensionTablesMessage: ToWorker | undefined;
  private eventStatus: () => EventStatus[] = () => [];
  private closed = false;
  private stats_ = { executed: 0, failed: 0, timeouts: 0, memoryStops: 0, cpuStops: 0, refused: 0, respawns: 0, recycles: 0 };
  private cpuTimer: NodeJS.Timeout | undefined;
  private ticksPerSecond = 100;

  constructor(private readonly options: PoolOptions) {}

  async start(): Promise<void> {
    for (let i = 0; i < this.options.size; i++) this.slots.push(this.spawn());
    await Promise.all(this.slots.map((slot) => slot.ready));
    const limits = this.options.cpuLimits;
    if (limits) {
      this.ticksPerSecond = clockTicksPerSecond();
      this.cpuTimer = setInterval(() => this.checkCpu(limits), limits.intervalMs);
      this.cpuTimer.unref();
    }
  }

  /**
   * One watchdog CPU check of every worker thread. A worker that was idle at the previous check and is idle now is
   * not read: the rule cannot count it (no query ran throughout), so idle workers cost one comparison per 3 s.
   */
  private checkCpu(limits: CpuLimits): void {
    const now = performance.now();
    const debug = this.options.onCpuCheck;
    for (let index = 0; index < this.slots.length; index++) {
      const slot = this.slots[index]!;
      if (slot.tid === undefined || slot.busy) continue;
      const runningId = slot.inflight.length > 0 ? Atomics.load(slot.running, 0) : 0;
      if (runningId === 0 && slot.cpu?.runningId === 0 && !debug) {
        slot.sustained = 0;
        continue;
      }
      let cpuMs: number | undefined;
      try {
        cpuMs = readThreadCpuMs(slot.tid, this.ticksPerSecond);
      } catch {
        cpuMs = undefined;
      }
      if (cpuMs === undefined) continue; // the thread is gone: its exit handler respawns it
      const reading: CpuReading = { cpuMs, at: now, runningId };
      const previous = slot.cpu;
      slot.cpu = reading;
      if (!previous) continue;
      const enforcing = now - slot.startedAt >= limits.delayMs;
      const verdict = judgeCpu(limits, previous, reading, slot.sustained, enforcing);
      slot.sustained = verdict.sustained;
      debug?.({ ...verdict, worker: index, tid: slot.tid, runningId, enforcing });
      if (verdict.stop) {
        this.stats_.cpuStops++;
        this.stopSlot(slot, 'memory', verdict.stop, runningId);
      }
    }
  }

  private spawn(): Slot {
    const interruptBuffer = new SharedArrayBuffer(4);
    const runningBuffer = new SharedArrayBuffer(4);
    const worker = new Worker(workerUrl, {
      workerData: { ...this.options.init, interruptBuffer, runningBuffer } satisfies WorkerInit,
      ...(this.options.memoryLimitMb > 0 ? { resourceLimits: { maxOldGenerationSizeMb: this.options.memoryLimitMb } } : {}),
    });
    worker.unref();
    if (this.configMessage) worker.postMessage(this.configMessage);
    if (this.extensionTablesMessage) worker.postMessage(this.extensionTablesMessage);
    const slot: Slot = { worker, startedAt: performance.now(), sustained: 0, busy: true, agentVersion: -1, interrupt: new Int32Array(interruptBuffer), running: new Int32Array(runningBuffer), ready: Promise.resolve(), inflight: [], outbox: [], flushing: false };
    slot.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromWorker): void => {
        if (message.type === 'ready') {
          if (message.tid !== undefined) slot.tid = message.tid;
          slot.busy = false;
          resolve();
          this.pump();
        } else if (message.type === 'startup-error') reject(new Error(`query worker failed to start: ${message.message}`));
        else this.onMessage(slot, message);
      };
      worker.on('message', onMessage);
      worker.on('error', (error: Error & { code?: string }) => {
        const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
        this.stopSlot(slot, memory ? 'memory' : 'crash', memory ? `Memory limits exceeded: query worker heap over ${this.options.memoryLimitMb}MB` : `query worker crashed: ${error.message}`);
        reject(error);
      });
      worker.on('exit', () => {
        if (!this.closed && this.slots.includes(slot)) this.stopSlot(slot, 'crash', 'query worker exited');
      });
    });
    slot.ready.catch(() => undefined);
    return slot;
  }

  /** The worker of `slot` is gone or must go: fail its job and put a fresh worker in its place. */
  private stopSlot(slot: Slot, kind: FailureKind, reason: string, culpritId?: number): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    const jobs = slot.inflight.splice(0);
    // The job the worker was running is the one stopped (and blamed); the others either finished without their
    // answer reaching us (answers of a batch travel together) or never started: they run again on another worker
    // (once; event cursors only move on delivered answers, so a re-run re-delivers, never loses).
    const runningId = culpritId ?? Atomics.load(slot.running, 0);
    const culprit = jobs.find((r) => r.id === runningId) ?? jobs[0];
    const again: Waiting[] = [];
    for (const running of jobs) {
      running.finished = true;
      clearTimeout(running.timer);
      if (running === culprit) running.reject(new QueryFailure(reason, kind, kind === 'timeout' ? 9 : 1));
      else if (running.requeued || this.closed) {
        running.reject(new QueryFailure(`query worker was stopped while this query waited behind another: ${reason}`, 'closed'));
      } else again.push({ job: running.job, resolve: running.resolve, reject: running.reject, requeued: true });
    }
    this.queue.unshift(...again);
    slot.outbox.length = 0;
    void slot.worker.terminate().catch(() => undefined);
    if (this.closed) return;
    this.options.onWorkerStopped?.(reason);
    this.stats_.respawns++;
    if (kind === 'timeout') this.stats_.timeouts++;
    // (the CPU watchdog, the only caller naming its culprit, counts its own stops in cpuStops)
    if (kind === 'memory' && culpritId === undefined) this.stats_.memoryStops++;
    const fresh = this.spawn();
    this.slots[index] = fresh;
    this.pump();
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    if (message.type === 'config-problems') {
      if (message.problems.length > 0) this.options.onConfigProblems?.(message.problems);
      return;
    }
    if (message.type === 'extension-problems') {
      if (message.problems.length > 0) this.options.onExtensionProblems?.(message.problems);
      return;
    }
    if (message.type !== 'answers') return;
    for (const answer of message.answers) this.onAnswer(slot, answer);
    if (message.recycle && !slot.retiring) slot.retiring = message.recycle;
    if (slot.retiring && slot.inflight.length === 0) this.replaceIdle(slot);
    this.pump();
  }

  /** Replaces an idle worker that held more than its memory budget (its memory, wasm included, goes with it). */
  private replaceIdle(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    this.options.onWorkerStopped?.(slot.retiring ?? 'query worker replaced');
    this.stats_.recycles++;
    this.stats_.respawns++;
    this.slots[index] = this.spawn();
    void slot.worker.terminate().catch(() => undefined);
  }

  private onAnswer(slot: Slot, message: QueryAnswer): void {
    const index = slot.inflight.findIndex((r) => r.id === message.id);
    if (index < 0) return;
    const [running] = slot.inflight.splice(index, 1);
    if (!running || running.finished) return;
    running.finished = true;
    clearTimeout(running.timer);
    if (message.type === 'error') {
      this.stats_.failed++;
      const kind: FailureKind = message.code === 9 ? 'timeout' : message.drainBusy ? 'drain-busy' : message.memoryLimit ? 'memory' : 'sql';
      if (kind === 'memory') this.stats_.memoryStops++;
      running.reject(new QueryFailure(message.message, kind, message.code, message.usage));
      return;
    }
    this.stats_.executed++;
    // The worker is free at once and holds nothing: the cursor moves come with the result and are applied here
    // (the main thread is the store's only writer) when the caller says the rows were delivered.
    const commits = message.commits;
    let settled = false;
    const renewal = this.renewWhileUndelivered(commits);
    const commit = (): Promise<void> => {
      if (settled) return Promise.resolve();
      settled = true;
      clearInterval(renewal);
      if (commits.length > 0) {
        try {
          this.options.applyCommits?.(commits);
        } catch {
          // a cursor that did not move re-delivers next time: never lose rows
        }
      }
      return Promise.resolve();
    };
    running.resolve({
      columns: message.columns,
      rows: message.rows,
      ...(message.json !== undefined ? { json: message.json } : {}),
      warnings: message.warnings,
      usage: message.usage,
      eventTables: message.eventTables,
      movesCursors: commits.length > 0,
      commit,
      discard: () => {
        if (settled) return;
        settled = true;
        clearInterval(renewal);
        if (commits.some((c) => c.owner !== undefined)) {
          try {
            this.options.releaseDrains?.(commits);
          } catch {
            // a lease not given back expires (EventStoreOptions.drainLeaseMs)
          }
        }
      },
    });
  }

  /** Renews the leases `commits` hold until the result is committed or discarded (the timer never keeps Node up). */
  private renewWhileUndelivered(commits: readonly CursorCommit[]): NodeJS.Timeout | undefined {
    const renew = this.options.renewDrains;
    const leased = commits.filter((c) => c.owner !== undefined);
    if (!renew || leased.length === 0) return undefined;
    const every = this.options.drainRenewMs ?? 60_000;
    let left = Math.max(1, Math.floor(DRAIN_RENEW_MAX_MS / every));
    const timer = setInterval(() => {
      try {
        renew(leased);
      } catch {
        // a lease that could not be renewed expires; its rows are re-delivered, never lost
      }
      if (--left <= 0) clearInterval(timer);
    }, every);
    timer.unref();
    return timer;
  }

  private send(slot: Slot, message: ToWorker): void {
    slot.worker.postMessage(message);
  }

  /** Queues a query for `slot`'s worker; everything queued in this event-loop turn goes in one message. */
  private post(slot: Slot, query: QueryMessage): void {
    slot.outbox.push(query);
    if (slot.flushing) return;
    slot.flushing = true;
    setImmediate(() => {
      slot.flushing = false;
      if (slot.outbox.length === 0 || !this.slots.includes(slot)) return;
      this.send(slot, { type: 'queries', queries: slot.outbox.splice(0) });
    });
  }

  setAgent(snapshot: AgentSnapshot): void {
    this.agent = snapshot;
  }

  /** The config and flag values the workers' config-reading tables (yara) see; sent now and to every respawned worker. */
  setConfig(message: { config: unknown; flagValues: Record<string, unknown> }): void {
    this.configMessage = { type: 'config', ...message };
    for (const slot of this.slots) this.send(slot, this.configMessage);
  }

  /** The extension manager's tables; sent now and to every respawned worker. */
  setExtensionTables(tables: ExtensionTableSpec[]): void {
    this.extensionTablesMessage = { type: 'extension-tables', tables };
    for (const slot of this.slots) this.send(slot, this.extensionTablesMessage);
  }

  setEventStatus(source: () => EventStatus[]): void {
    this.eventStatus = source;
  }

  run(job: QueryJob): Promise<PooledResult> {
    if (this.closed) return Promise.reject(new QueryFailure('quarryd is shutting down', 'closed'));
    return new Promise<PooledResult>((resolve, reject) => {
      const idle = this.freeSlot();
      if (idle) {
        this.dispatch(idle, { job, resolve, reject });
        return;
      }
      if (this.queue.length >= this.options.queueLimit) {
        this.stats_.refused++;
        reject(new QueryFailure('too many queries are running or waiting; try again shortly', 'busy'));
        return;
      }
      this.queue.push({ job, resolve, reject });
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const idle = this.freeSlot();
      if (!idle) return;
      this.dispatch(idle, this.queue.shift()!);
    }
  }

  /** The ready worker with the fewest jobs, if it has room (up to PIPELINE_DEPTH jobs wait in its queue). */
  private freeSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.busy || slot.retiring || slot.inflight.length >= PIPELINE_DEPTH) continue;
      if (!best || slot.inflight.length < best.inflight.length) best = slot;
    }
    return best;
  }

  private dispatch(slot: Slot, waiting: Waiting): void {
    const id = this.nextId++;
    const running: Running = { id, job: waiting.job, resolve: waiting.resolve, reject: waiting.reject, finished: false, ...(waiting.requeued ? { requeued: true } : {}) };
    const ahead = slot.inflight.map((r) => r.job.deadlineMs ?? this.options.deadlineMs);
    slot.inflight.push(running);
    const deadline = waiting.job.deadlineMs ?? this.options.deadlineMs;
    if (deadline > 0) {
      // counted from dispatch: the jobs ahead on this worker may use their own deadlines first
      running.timer = setTimeout(() => {
        if (running.finished) return;
        const head = slot.inflight[0];
        const limit = (head?.job.deadlineMs ?? deadline) / 1000;
        this.stopSlot(slot, 'timeout', `query stopped: it ran past its deadline of ${limit} s`);
      }, deadline + ahead.reduce((sum, d) => sum + d, 0));
      running.timer.unref();
    }
    const agent = this.agent && this.agent.version !== slot.agentVersion ? this.agent : undefined;
    if (agent) slot.agentVersion = agent.version;
    let eventStatus: EventStatus[] | undefined;
    if (/osquery_events/i.test(waiting.job.sql)) {
      try {
        eventStatus = this.eventStatus();
      } catch {
        eventStatus = [];
      }
    }
    this.post(slot, {
      id,
      sql: waiting.job.sql,
      consumer: waiting.job.consumer ?? 'http',
      peek: waiting.job.peek ?? false,
      measure: waiting.job.measure ?? false,
      format: waiting.job.format ?? 'rows',
      ...(agent ? { agent } : {}),
      ...(eventStatus ? { eventStatus } : {}),
    });
  }

  /** Kernel thread ids of the workers, in pool order (undefined: starting, or no /proc). */
  workerThreadIds(): Array<number | undefined> {
    return this.slots.map((slot) => slot.tid);
  }

  stats(): { size: number; busy: number; queued: number; executed: number; failed: number; timeouts: number; memoryStops: number; cpuStops: number; refused: number; respawns: number; recycles: number } {
    return { size: this.slots.length, busy: this.slots.filter((s) => s.inflight.length > 0).length, queued: this.queue.length, ...this.stats_ };
  }

  /** Fails every queued and running job ('closed'), then terminates the workers. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.cpuTimer);
    for (const waiting of this.queue.splice(0)) waiting.reject(new QueryFailure('quarryd is shutting down', 'closed'));
    for (const slot of this.slots) {
      slot.outbox.length = 0;
      for (const running of slot.inflight.splice(0)) {
        if (running.finished) continue;
        running.finished = true;
        clearTimeout(running.timer);
        running.reject(new QueryFailure('quarryd is shutting down: the query was stopped', 'closed'));
      }
    }
    await Promise.all(this.slots.map((slot) => slot.worker.terminate().catch(() => undefined)));
  }
}
