/**
 * osquery's watchdog limits (osquery/core/watcher.cpp, reference §7.1) by --watchdog_level, with the --watchdog_*
 * overrides. 1 is restrictive, -1 "effectively off" (very high limits), every other level normal.
 */
import type { Flags } from '@quarry/config';

export interface WatcherLimits {
  /** Memory over the worker's first-check RSS, MB. */
  memoryMb: number;
  /** CPU utilization, percent of one core per check interval. */
  utilizationPercent: number;
  /** Seconds of sustained over-utilization that stop the worker. */
  latencySeconds: number;
  /** A worker that lived less than this many seconds respawned "too quickly". */
  respawnLimitSeconds: number;
  /** Base of the back-off before a too-quick respawn: delay + 2^restarts seconds. */
  respawnDelaySeconds: number;
  /** Cap of that back-off (--watchdog_max_delay). */
  maxDelaySeconds: number;
  /** How often the watcher reads the worker's usage. */
  intervalMs: number;
  /** Limits are enforced only this long after a worker started (--watchdog_delay). */
  delayMs: number;
  /** Between the graceful stop (SIGTERM) and SIGKILL (--watchdog_forced_shutdown_delay). */
  forcedShutdownMs: number;
}

const BY_LEVEL = {
  normal: { memoryMb: 200, utilizationPercent: 10, latencySeconds: 12, respawnLimitSeconds: 4, respawnDelaySeconds: 5 },
  restrictive: { memoryMb: 100, utilizationPercent: 5, latencySeconds: 6, respawnLimitSeconds: 4, respawnDelaySeconds: 5 },
  off: { memoryMb: 10000, utilizationPercent: 100, latencySeconds: 1000, respawnLimitSeconds: 1000, respawnDelaySeconds: 1 },
};

export function watcherLimits(flags: Flags): WatcherLimits {
  const level = flags.number('watchdog_level');
  const base = level === 1 ? BY_LEVEL.restrictive : level === -1 ? BY_LEVEL.off : BY_LEVEL.normal;
  const override = (name: string, value: number) => (flags.number(name) > 0 ? flags.number(name) : value);
  return {
    memoryMb: override('watchdog_memory_limit', base.memoryMb),
    utilizationPercent: override('watchdog_utilization_limit', base.utilizationPercent),
    latencySeconds: override('watchdog_latency_limit', base.latencySeconds),
    respawnLimitSeconds: base.respawnLimitSeconds,
    respawnDelaySeconds: base.respawnDelaySeconds,
    maxDelaySeconds: flags.number('watchdog_max_delay'),
    intervalMs: 3000,
    delayMs: flags.number('watchdog_delay') * 1000,
    forcedShutdownMs: flags.number('watchdog_forced_shutdown_delay') * 1000,
  };
}

/** The query workers' memory limit (MB): the watcher's memory limit; none with --disable_watchdog. */
export function memoryLimitMb(flags: Flags): number {
  return flags.bool('disable_watchdog') ? 0 : watcherLimits(flags).memoryMb;
}

/** osquery's back-off before respawning a worker that died too quickly: delay + 2^restarts, capped. */
export function respawnBackoffSeconds(limits: WatcherLimits, restarts: number): number {
  return Math.min(limits.maxDelaySeconds, limits.respawnDelaySeconds + 2 ** Math.min(restarts, 30));
}
