/**
 * quarryd's (osqueryd's) watcher: it holds the pidfile and runs the agent as a worker process — the same script with
 * QUARRY_WORKER=1 — and starts a new worker when the worker dies (a crash in a native library, a kill) or breaks the
 * watchdog limits, with osquery's messages and back-off (osquery/core/watcher.cpp, reference §7.1). The worker owns
 * everything else (LMDB, the audit netlink socket, the HTTP port, the extension socket); a new worker takes them
 * over as a restarted quarryd does. SIGTERM/SIGINT stop the worker gracefully and end the watcher with 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { Flags } from '@quarry/config';
import type { StatusLog } from '../status-log.js';
import { claimPidfile } from '../pidfile-owner.js';
import { respawnBackoffSeconds, watcherLimits, type WatcherLimits } from './limits.js';
import { readProcessUsage } from './process-usage.js';
import { WORKER_ENV, WORKER_GENERATION_ENV } from './worker-role.js';

/** Checks the watcher's CPU rule waits beyond --watchdog_latency_limit (see Watcher.check). */
const WORKER_CPU_GRACE_CHECKS = 2;

/** A worker that exits with this code could not start (bad port, config plugin...): the watcher gives up. */
export const WORKER_START_FAILED = 78;

export interface WatcherOptions {
  flags: Flags;
  log: StatusLog;
  /** The daemon's arguments, passed to every worker unchanged. */
  argv: string[];
  /** `quarryd` or `osqueryd`, for log lines. */
  name: string;
}

/** What the watcher measured in the current worker, for the limits. */
interface WorkerWatch {
  child: ChildProcess;
  pid: number;
  startedAt: number;
  baselineRss: number | undefined;
  lastCpuMs: number | undefined;
  sustained: number;
  stopping: boolean;
}

export class Watcher {
  private readonly limits: WatcherLimits;
  private worker: WorkerWatch | undefined;
  private generation = 0;
  private restarts = 0;
  private shuttingDown = false;
  private timer: NodeJS.Timeout | undefined;
  private respawnTimer: NodeJS.Timeout | undefined;
  private finish!: (code: number) => void;
  readonly done = new Promise<number>((resolve) => (this.finish = resolve));

  constructor(private readonly options: WatcherOptions) {
    this.limits = watcherLimits(options.flags);
  }

  /** Runs until SIGTERM/SIGINT (0) or a worker that cannot start (1); resolves to the exit code. */
  async run(): Promise<number> {
    const { flags, log, name } = this.options;
    let releasePidfile = () => {};
    if (flags.string('pidfile') !== '') {
      try {
        releasePidfile = await claimPidfile(flags.string('pidfile'), flags.bool('force'), (text) => log.warning(text, 'watcher'));
      } catch (error) {
        log.fatal(`${name} could not start: ${(error as Error).message}`);
        return 1;
      }
    }
    const onStop = (signal: NodeJS.Signals) => void this.shutdown(signal);
    const onHup = () => this.worker?.child.kill('SIGHUP');
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    process.on('SIGHUP', onHup);
    this.timer = setInterval(() => this.check(), this.limits.intervalMs);
    this.spawnWorker();
    const code = await this.done;
    clearInterval(this.timer);
    clearTimeout(this.respawnTimer);
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onHup);
    releasePidfile();
    return code;
  }

  /** The current worker's pid (0 between workers). */
  workerPid(): number {
    return this.worker?.pid ?? 0;
  }

  private spawnWorker(): void {
    this.generation += 1;
    const script = process.argv[1]!;
    const child = spawn(process.execPath, [...process.execArgv, script, ...this.options.argv], {
      stdio: 'inherit',
      env: { ...process.env, [WORKER_ENV]: '1', [WORKER_GENERATION_ENV]: String(this.generation) },
    });
    const watch: WorkerWatch = { child, pid: child.pid ?? 0, startedAt: Date.now(), baselineRss: undefined, lastCpuMs: undefined, sustained: 0, stopping: false };
    this.worker = watch;
    this.options.log.info(`${this.options.name} watcher (${process.pid}) started worker (${watch.pid})`, 'watcher');
    child.on('exit', (code, signal) => this.onWorkerExit(watch, code, signal));
  }

  private onWorkerExit(watch: WorkerWatch, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.worker === watch) this.worker = undefined;
    const { log, name } = this.options;
    if (this.shuttingDown) {
      this.finish(0);
      return;
    }
    if (code === WORKER_START_FAILED) {
      log.error(`${name} worker (${watch.pid}) could not start; the watcher stops`, 'watcher');
      this.finish(1);
      return;
    }
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    log.warning(`${name} worker (${watch.pid}) ${how}`, 'watcher');
    const lived = (Date.now() - watch.startedAt) / 1000;
    if (lived >= this.limits.respawnLimitSeconds) {
      this.restarts = 0;
      this.spawnWorker();
      return;
    }
    this.restarts += 1;
    const delay = respawnBackoffSeconds(this.limits, this.restarts);
    log.warning(`${name} worker respawning too quickly: ${this.restarts} times (next in ${delay} s)`, 'watcher');
    this.respawnTimer = setTimeout(() => this.spawnWorker(), delay * 1000);
  }

  /**
   * One watchdog check of the worker's memory and CPU (osquery's rules). The CPU rule waits WORKER_CPU_GRACE_CHECKS
   * checks longer than --watchdog_latency_limit: inside the worker, the per-query watchdog (pool/cpu-watchdog.ts)
   * stops a runaway query's thread at the latency limit, so the worker process itself is stopped only when the excess
   * outlasts that, i.e. it does not come from one query that the worker can stop alone.
   */
  private check(): void {
    const watch = this.worker;
    if (!watch || watch.stopping || this.shuttingDown) return;
    const usage = readProcessUsage(watch.pid);
    if (!usage || usage.ppid !== process.pid) return; // gone, or not ours any more
    const { flags, log } = this.options;
    const enforcing = Date.now() - watch.startedAt >= this.limits.delayMs;
    watch.baselineRss ??= usage.rssBytes;
    const footprint = usage.rssBytes - watch.baselineRss;
    const cpuDelta = watch.lastCpuMs === undefined ? 0 : usage.cpuMs - watch.lastCpuMs;
    watch.lastCpuMs = usage.cpuMs;
    // osquery's budget: cores × interval × pct/100 (the worker process may use every core).
    const budgetMs = (availableParallelism() * this.limits.intervalMs * this.limits.utilizationPercent) / 100;
    watch.sustained = cpuDelta > budgetMs ? watch.sustained + 1 : 0;
    if (flags.bool('enable_watchdog_debug') && flags.bool('verbose')) {
      log.info(`watchdog: worker (${watch.pid}) footprint ${footprint} bytes, CPU ${Math.round(cpuDelta)} ms in ${this.limits.intervalMs} ms, sustained ${watch.sustained}${enforcing ? '' : ' (within --watchdog_delay)'}`, 'watcher');
    }
    if (!enforcing) return;
    if (footprint > this.limits.memoryMb * 1024 * 1024) {
      this.stopWorker(watch, `Memory limits exceeded: ${footprint} bytes (limit is ${this.limits.memoryMb}MB)`);
    } else if ((watch.sustained - WORKER_CPU_GRACE_CHECKS) * this.limits.intervalMs >= this.limits.latencySeconds * 1000) {
      this.stopWorker(watch, `Maximum sustainable CPU utilization limit ${Math.round(budgetMs)}ms exceeded for ${(watch.sustained * this.limits.intervalMs) / 1000} seconds`);
    }
  }

  /** osquery's stop sequence: WARNING, SIGUSR1 (resource limit hit), SIGTERM, SIGKILL after the forced delay. */
  private stopWorker(watch: WorkerWatch, reason: string): void {
    watch.stopping = true;
    this.options.log.warning(`${this.options.name} worker (${watch.pid}) stopping: ${reason}`, 'watcher');
    watch.child.kill('SIGUSR1');
    watch.child.kill('SIGTERM');
    const force = setTimeout(() => watch.child.kill('SIGKILL'), this.limits.forcedShutdownMs);
    watch.child.once('exit', () => clearTimeout(force));
  }

  private async shutdown(signal: NodeJS.Signals): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    clearTimeout(this.respawnTimer);
    const watch = this.worker;
    this.options.log.info(`${this.options.name} watcher stopping on ${signal}`, 'watcher');
    if (!watch) {
      this.finish(0);
      return;
    }
    watch.child.kill('SIGTERM');
    const alarm = setTimeout(() => watch.child.kill('SIGKILL'), Math.max(10, this.options.flags.number('alarm_timeout')) * 1000);
    watch.child.once('exit', () => clearTimeout(alarm));
  }
}
