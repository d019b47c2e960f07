/** A process's CPU time, resident memory and parent from /proc (what osquery's watcher reads through `processes`). */
import { readFileSync } from 'node:fs';

export interface ProcessUsage {
  /** user + system CPU time, ms. */
  cpuMs: number;
  /** Resident set size, bytes. */
  rssBytes: number;
  ppid: number;
}

/** Linux's USER_HZ (clock ticks per second in /proc/<pid>/stat) is 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/** The usage of `pid`, or undefined when it is gone. */
export function readProcessUsage(pid: number): ProcessUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces and parentheses) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]);
    const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    return { cpuMs: (ticks * 1000) / TICKS_PER_SECOND, rssBytes: Number(statm[1]) * PAGE_BYTES, ppid };
  } catch {
    return undefined;
  }
}
