/**
 * Who publishes into a database. The claim is an LMDB key holding the publisher's pid and its process start time
 * (from /proc), written inside an LMDB write transaction, which LMDB serializes across processes. A claim whose
 * process is gone (killed with -9, a zombie, or a pid reused by another program) is stale and is taken over.
 */
import { readFileSync } from 'node:fs';

export interface PublisherClaim {
  readonly pid: number;
  /** Process start time in clock ticks since boot (field 22 of /proc/<pid>/stat); null when /proc is unavailable. */
  readonly startTicks: number | null;
}

interface ProcessState {
  readonly state: string;
  readonly startTicks: number;
}

function readProcessState(pid: number): ProcessState | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ppid ..." — comm may hold spaces and parentheses, so fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTicks: Number(fields[19]) };
  } catch {
    return null;
  }
}

export function claimForThisProcess(): PublisherClaim {
  return { pid: process.pid, startTicks: readProcessState(process.pid)?.startTicks ?? null };
}

/** True while the process that wrote `claim` still runs. */
export function isClaimLive(claim: PublisherClaim): boolean {
  // Our own pid is no proof: a restarted container's daemon often gets the pid its killed predecessor had.
  // The start time tells a claim made by this process from a stale one.
  try {
    process.kill(claim.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = readProcessState(claim.pid);
  if (state === null) return true;
  if (state.state === 'Z' || state.state === 'X') return false;
  return claim.startTicks === null || state.startTicks === claim.startTicks;
}

export function isPublisherClaim(value: unknown): value is PublisherClaim {
  return typeof value === 'object' && value !== null && typeof (value as PublisherClaim).pid === 'number';
}
