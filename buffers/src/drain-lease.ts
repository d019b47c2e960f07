/**
 * Drain leases: one drain at a time per (ring, consumer).
 *
 * A drain reads the rows after its consumer's cursor and moves the cursor only once they were delivered. Two drains
 * of the same consumer running at the same time would both read from the same cursor and both deliver the same rows,
 * so a drain first takes the consumer's lease: a record in the `leases` sub-database of the same LMDB environment,
 * written in a write transaction (LMDB serializes writers across processes and threads). The lease is given back in
 * the transaction that moves the cursor, or at once when the drain is abandoned (the statement failed, the result was
 * not delivered).
 *
 * The owner is one engine call (pid + thread + a token the engine makes per call): a second read by the same owner
 * (a self-join, the next chunk, another statement of the same text) reuses the lease and counts one more hold; each
 * hold is given back by its own commit or release, and the lease goes when the last one is. A lease whose process is
 * gone (killed, crashed) is stale and is taken over, and so is one whose OS thread is gone while its process lives
 * (a query worker the watchdog terminated, quarryi's engine thread restarted after Ctrl-C): the lease records the
 * thread's kernel tid and /proc/<pid>/task/<tid> tells whether it still runs. `expiresAt` is the last resort where
 * /proc cannot tell.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readlinkSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { claimForThisProcess, isClaimLive } from './publisher-lock.js';

/** How long a lease lasts without being given back (EventStoreOptions.drainLeaseMs). */
export const DEFAULT_DRAIN_LEASE_MS = 10 * 60 * 1000;

/** Who drains: a process (pid and its start time), a thread in it, and a token per engine call (or per stream). */
export interface DrainOwner {
  readonly pid: number;
  /** Process start time in clock ticks since boot (tells a reused pid from the holder); null without /proc. */
  readonly startTicks: number | null;
  /** node:worker_threads threadId (0: the main thread). */
  readonly threadId: number;
  /** The thread's kernel thread id (from /proc/thread-self); null without /proc. */
  readonly tid?: number | null;
  readonly token: string;
}

/** The stored lease of one (ring, consumer). */
export interface DrainLease extends DrainOwner {
  /** Reads by this owner not yet committed or released. */
  readonly holds: number;
  /** Milliseconds since the epoch. */
  readonly takenAt: number;
  /** Milliseconds since the epoch; after it the lease is stale even if its process lives. */
  readonly expiresAt: number;
}

/** A drain found another live drain of the same consumer: nothing was read. */
export class DrainBusyError extends Error {
  constructor(
    readonly table: string,
    readonly consumer: string,
    readonly holderPid: number,
  ) {
    super(
      `${table} is being drained for consumer ${JSON.stringify(consumer)} by another query (pid ${holderPid}); nothing was read — ` +
        'try again when it has finished, or use another consumer name',
    );
    this.name = 'DrainBusyError';
  }
}

/** Whether `error` is a DrainBusyError or was caused by one (the SQL engine keeps a table's error as `cause`). */
export function isDrainBusy(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof DrainBusyError || e.name === 'DrainBusyError') return true;
  }
  return false;
}

/** An owner for this process and thread; `token` names the engine call or stream (a fresh one when omitted). */
export function drainOwner(token: string = randomUUID()): DrainOwner {
  const claim = processIdentity();
  return { pid: claim.pid, startTicks: claim.startTicks, threadId, tid: kernelThreadId(), token };
}

/** This thread's kernel tid, read once per thread (each worker thread has its own copy of this module). */
const kernelThreadId = (() => {
  let tid: number | null | undefined;
  return (): number | null => {
    if (tid === undefined) {
      try {
        const match = /\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'));
        tid = match ? Number(match[1]) : null;
      } catch {
        tid = null;
      }
    }
    return tid;
  };
})();

/** Whether the holder's thread still runs: /proc/<pid>/task/<tid> exists (true when it cannot be told). */
function holderThreadRuns(lease: DrainLease): boolean {
  if (typeof lease.tid !== 'number') return true;
  return existsSync(`/proc/${lease.pid}/task/${lease.tid}`);
}

/** This process's pid and start time: read from /proc once (they never change for a process), not on every drain. */
const processIdentity = (() => {
  let identity: ReturnType<typeof claimForThisProcess> | undefined;
  return () => (identity ??= claimForThisProcess());
})();

export function sameDrainOwner(a: DrainOwner, b: DrainOwner): boolean {
  return a.token === b.token && a.pid === b.pid && a.threadId === b.threadId && a.startTicks === b.startTicks;
}

export function isDrainLease(value: unknown): value is DrainLease {
  if (typeof value !== 'object' || value === null) return false;
  const lease = value as DrainLease;
  return typeof lease.pid === 'number' && typeof lease.token === 'string' && typeof lease.expiresAt === 'number';
}

/** Whether `lease` still holds at `nowMs`: its process and thread run and it has not expired. */
export function isDrainLeaseLive(lease: DrainLease, nowMs: number): boolean {
  return lease.expiresAt > nowMs && isClaimLive(lease) && holderThreadRuns(lease);
}

/** Checks an owner passed in from outside (another thread's message, a caller). */
export function checkDrainOwner(owner: unknown): asserts owner is DrainOwner {
  const o = owner as DrainOwner;
  if (
    typeof o !== 'object' || o === null || typeof o.pid !== 'number' || typeof o.threadId !== 'number' ||
    typeof o.token !== 'string' || o.token === '' || (o.startTicks !== null && typeof o.startTicks !== 'number') ||
    (o.tid !== undefined && o.tid !== null && typeof o.tid !== 'number')
  ) {
    throw new TypeError(`A drain owner is {pid, startTicks, threadId, tid, token} (see drainOwner()), got ${JSON.stringify(owner)}`);
  }
}

/** The lease after `owner` takes one more hold at `nowMs`, or the live holder that refuses it. */
export function leaseAfterAcquire(
  stored: unknown,
  owner: DrainOwner,
  nowMs: number,
  leaseMs: number,
): { lease: DrainLease } | { holder: DrainLease } {
  const fresh = { pid: owner.pid, startTicks: owner.startTicks, threadId: owner.threadId, tid: owner.tid ?? null, token: owner.token };
  if (isDrainLease(stored)) {
    if (sameDrainOwner(stored, owner)) {
      return { lease: { ...fresh, holds: (stored.holds ?? 0) + 1, takenAt: stored.takenAt, expiresAt: nowMs + leaseMs } };
    }
    if (isDrainLeaseLive(stored, nowMs)) return { holder: stored };
  }
  return { lease: { ...fresh, holds: 1, takenAt: nowMs, expiresAt: nowMs + leaseMs } };
}

/**
 * The lease after `owner` gives back one hold: undefined when none remain (delete it), the same record when `owner`
 * does not hold it (leave it alone).
 */
export function leaseAfterRelease(stored: unknown, owner: DrainOwner): { keep: DrainLease } | { remove: true } | { untouched: true } {
  if (!isDrainLease(stored) || !sameDrainOwner(stored, owner)) return { untouched: true };
  const holds = (stored.holds ?? 1) - 1;
  return holds > 0 ? { keep: { ...stored, holds } } : { remove: true };
}
