/**
 * CPU time of one OS thread, from the kernel (Linux /proc). quarryd's query workers are threads of one process,
 * so the watchdog measures each worker's own thread (/proc/self/task/<tid>/stat) where osquery measures its worker
 * process. The parsers are pure functions; the readers are thin and return undefined where /proc is missing.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { endianness } from 'node:os';

/** The auxiliary-vector key the kernel puts the clock tick rate (sysconf(_SC_CLK_TCK)) under. */
const AT_CLKTCK = 17;
/** Linux's USER_HZ on every architecture Node runs on; used only when /proc/self/auxv cannot be read. */
export const DEFAULT_CLOCK_TICKS = 100;

/** `/proc/thread-self` links to `PID/task/TID`: the two numbers, or undefined when `link` has another shape. */
export function parseThreadSelfLink(link: string): { pid: number; tid: number } | undefined {
  const match = /^(\d+)\/task\/(\d+)$/.exec(link.trim());
  if (!match) return undefined;
  return { pid: Number(match[1]), tid: Number(match[2]) };
}

/** The calling thread's kernel thread id (call it inside the worker thread), or undefined without /proc. */
export function currentThreadId(): number | undefined {
  try {
    return parseThreadSelfLink(readlinkSync('/proc/thread-self'))?.tid;
  } catch {
    return undefined;
  }
}

export interface ThreadStat {
  /** The thread's name (`comm`, may hold spaces and parentheses). */
  name: string;
  /** Scheduler state letter (R running, S sleeping, ...). */
  state: string;
  /** CPU time in user mode, clock ticks. */
  utimeTicks: number;
  /** CPU time in kernel mode, clock ticks. */
  stimeTicks: number;
}

/**
 * Parses one `/proc/<pid>/task/<tid>/stat` line (proc(5)): `tid (comm) state ppid ... utime stime ...`, utime
 * and stime being fields 14 and 15. `comm` can contain `)` and spaces, so fields are counted from the last `)`.
 * Throws an Error naming what was wrong when `text` is not such a line.
 */
export function parseThreadStat(text: string): ThreadStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc stat line (no "(comm)" field): ${JSON.stringify(text.slice(0, 80))}`);
  const rest = text.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state): utime (field 14) is rest[11], stime (field 15) is rest[12]
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (rest.length < 13 || !Number.isInteger(utime) || !Number.isInteger(stime) || utime < 0 || stime < 0) {
    throw new Error(`not a /proc stat line (utime/stime fields 14-15 missing or not counts): ${JSON.stringify(text.slice(0, 80))}`);
  }
  return { name: text.slice(open + 1, close), state: rest[0] ?? '', utimeTicks: utime, stimeTicks: stime };
}

/**
 * AT_CLKTCK from a raw `/proc/self/auxv` (pairs of native words: key, value; key 0 ends it), or undefined when it
 * is not there. `wordBytes` is 8 on 64-bit platforms, 4 on 32-bit ones.
 */
export function parseAuxvClockTicks(auxv: Uint8Array, wordBytes: 4 | 8 = 8, littleEndian = true): number | undefined {
  const view = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
  const word = (offset: number): number =>
    wordBytes === 8 ? Number(view.getBigUint64(offset, littleEndian)) : view.getUint32(offset, littleEndian);
  for (let offset = 0; offset + 2 * wordBytes <= auxv.byteLength; offset += 2 * wordBytes) {
    const key = word(offset);
    if (key === 0) return undefined;
    if (key === AT_CLKTCK) {
      const value = word(offset + wordBytes);
      return value > 0 ? value : undefined;
    }
  }
  return undefined;
}

/**
 * Clock ticks per second of /proc's utime/stime (what `getconf CLK_TCK` prints): read from the kernel's auxiliary
 * vector of this process (no child process needed); DEFAULT_CLOCK_TICKS (100, Linux's fixed USER_HZ) if unreadable.
 */
export function clockTicksPerSecond(): number {
  try {
    const wordBytes = /64|s390x/.test(process.arch) ? 8 : 4;
    return parseAuxvClockTicks(readFileSync('/proc/self/auxv'), wordBytes, endianness() === 'LE') ?? DEFAULT_CLOCK_TICKS;
  } catch {
    return DEFAULT_CLOCK_TICKS;
  }
}

/** `/proc/self/task/<tid>/stat` of a thread of this process. */
export function threadStatPath(tid: number): string {
  return `/proc/self/task/${tid}/stat`;
}

/**
 * User + system CPU time of thread `tid` of this process, in ms; undefined when the thread is gone (a worker that
 * exited) or /proc cannot be read.
 */
export function readThreadCpuMs(tid: number, ticksPerSecond: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(threadStatPath(tid), 'utf8');
  } catch {
    return undefined;
  }
  const stat = parseThreadStat(text);
  return ((stat.utimeTicks + stat.stimeTicks) * 1000) / ticksPerSecond;
}
