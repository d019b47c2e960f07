/**
 * The CPU side of osquery's watchdog (reference §7.1), applied to one query worker *thread*: every check interval
 * (3 s) the pool reads the thread's user+system CPU time from the kernel; a check whose CPU time exceeds
 * `interval × utilization%` adds one to `sustained`, any other check resets it; when `sustained × interval` reaches
 * the latency limit the worker is stopped with osquery's message. One thread runs on at most one core, so the
 * budget is not multiplied by the number of cores as osquery does for its (multi-threaded) worker process.
 *
 * One refinement over osquery: a check only counts when one and the same query was running on the worker at the
 * previous check and at this one (so the whole interval's CPU is that query's). A worker kept busy by many short
 * queries (an HTTP burst, a dense schedule) is therefore never stopped, and the query blamed and denylisted is the
 * one that actually used the CPU for the whole sustained period.
 */

export interface CpuWatchdogFlags {
  /** --disable_watchdog */
  disabled: boolean;
  /** --watchdog_level: 0 normal, 1 restrictive, -1 effectively off. */
  level: number;
  /** --watchdog_utilization_limit (percent; used when > 0). */
  utilizationLimit: number;
  /** --watchdog_latency_limit (seconds; used when > 0). */
  latencyLimit: number;
  /** --watchdog_delay (seconds after a worker started before limits are enforced). */
  delaySeconds: number;
}

export interface CpuLimits {
  /** Percent of one core a worker thread may use per interval. */
  utilizationPercent: number;
  /** Seconds of sustained over-use before the worker is stopped. */
  latencySeconds: number;
  /** Check interval (osquery: 3 s at every level). */
  intervalMs: number;
  /** No enforcement during this long after a worker started (--watchdog_delay). */
  delayMs: number;
}

/** osquery's check interval, the same at every --watchdog_level. */
export const CHECK_INTERVAL_MS = 3000;

/** The CPU limits for the flags (osquery's table by level, overridden by the *_limit flags); undefined when off. */
export function cpuLimitsFromFlags(flags: CpuWatchdogFlags): CpuLimits | undefined {
  if (flags.disabled) return undefined;
  const byLevel = flags.level === 1 ? { pct: 5, latency: 6 } : flags.level === -1 ? { pct: 100, latency: 1000 } : { pct: 10, latency: 12 };
  return {
    utilizationPercent: flags.utilizationLimit > 0 ? flags.utilizationLimit : byLevel.pct,
    latencySeconds: flags.latencyLimit > 0 ? flags.latencyLimit : byLevel.latency,
    intervalMs: CHECK_INTERVAL_MS,
    delayMs: Math.max(0, flags.delaySeconds) * 1000,
  };
}

/** The per-interval CPU budget in ms osquery names in its message (`interval × pct / 100`). */
export function intervalBudgetMs(limits: CpuLimits): number {
  return Math.round((limits.intervalMs * limits.utilizationPercent) / 100);
}

/** One reading's verdict. */
export interface CpuVerdict {
  /** CPU time the thread used since the previous reading (ms). */
  cpuMs: number;
  /** Wall time since the previous reading (ms). */
  elapsedMs: number;
  /** CPU budget for that wall time (ms): `elapsed × pct / 100`. */
  budgetMs: number;
  /** Over budget while one query ran throughout (and enforcement has begun). */
  counted: boolean;
  sustained: number;
  /** osquery's stop message when the worker must be stopped now. */
  stop?: string;
}

export interface CpuReading {
  /** Thread CPU time (user + system), ms, cumulative. */
  cpuMs: number;
  /** When it was read (ms, monotonic). */
  at: number;
  /** Id of the query the worker was running at that moment (0: none). */
  runningId: number;
}

/**
 * Applies osquery's rule to two consecutive readings of one worker thread. `enforcing` is false during
 * --watchdog_delay (nothing is counted then).
 */
export function judgeCpu(limits: CpuLimits, previous: CpuReading, current: CpuReading, sustainedBefore: number, enforcing: boolean): CpuVerdict {
  const cpuMs = Math.max(0, current.cpuMs - previous.cpuMs);
  const elapsedMs = Math.max(0, current.at - previous.at);
  // The measured interval rather than the nominal 3 s: a timer that fired late (a busy main thread) does not
  // turn normal use into over-use.
  const budgetMs = (elapsedMs * limits.utilizationPercent) / 100;
  const sameQuery = current.runningId !== 0 && current.runningId === previous.runningId;
  const counted = enforcing && sameQuery && cpuMs > budgetMs;
  const sustained = counted ? sustainedBefore + 1 : 0;
  const seconds = (sustained * limits.intervalMs) / 1000;
  const verdict: CpuVerdict = { cpuMs, elapsedMs, budgetMs, counted, sustained };
  if (sustained > 0 && seconds >= limits.latencySeconds) {
    verdict.stop = `Maximum sustainable CPU utilization limit ${intervalBudgetMs(limits)}ms exceeded for ${seconds} seconds`;
  }
  return verdict;
}
