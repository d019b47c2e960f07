/**
 * Reading /proc/<pid>: the pid list (all, or only constrained pids), stat, status, io, links and descriptors.
 * A process may exit between any two reads; every reader returns undefined (or an empty list) for a vanished pid and
 * the tables skip it.
 */
import { existsSync } from 'node:fs';
import type { QueryContext } from '@quarry/sql';
import { integerEqualities, listDirectory, parseColonPairs, readLink, readText } from '../system/host-files.js';

const NUMERIC = /^\d+$/;

/** Every pid with a /proc directory, ascending. */
export function allPids(): number[] {
  return listDirectory('/proc')
    .filter((name) => NUMERIC.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

/** The pids a query covers: its '=' / IN constraints on `column` (only those that exist), else every process. */
export function pidsFromContext(context: QueryContext, column = 'pid'): number[] {
  const constrained = integerEqualities(context.equals(column));
  if (constrained.length === 0) return allPids();
  return constrained.filter((pid) => pid > 0 && existsSync(`/proc/${pid}`));
}

/** True when the query constrains `column` by equality (so only those pids are read). */
export function hasPidFilter(context: QueryContext, column = 'pid'): boolean {
  return integerEqualities(context.equals(column)).length > 0;
}

/** Fields of /proc/<pid>/stat after the command name, which may itself contain spaces and parentheses. */
export interface ProcStat {
  readonly state: string;
  readonly parent: number;
  readonly pgroup: number;
  /** Ticks (USER_HZ). */
  readonly userTicks: number;
  readonly systemTicks: number;
  readonly nice: number;
  readonly threads: number;
  /** Ticks after boot. */
  readonly startTicks: number;
}

export function readProcStat(pid: number): ProcStat | undefined {
  const text = readText(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  const close = text.lastIndexOf(')');
  if (close === -1) return undefined;
  const fields = text.slice(close + 2).trim().split(' ');
  if (fields.length <= 19) return undefined;
  return {
    state: fields[0]!,
    parent: Number(fields[1]),
    pgroup: Number(fields[2]),
    userTicks: Number(fields[11]),
    systemTicks: Number(fields[12]),
    nice: Number(fields[16]),
    threads: Number(fields[17]),
    startTicks: Number(fields[19]),
  };
}

/** /proc/<pid>/status as key → value. */
export function readProcStatus(pid: number): Map<string, string> | undefined {
  const text = readText(`/proc/${pid}/status`);
  return text === undefined ? undefined : parseColonPairs(text);
}

/** The real, effective and saved ids of a status "Uid:" or "Gid:" line. */
export function statusIds(value: string | undefined): [number, number, number] | undefined {
  const ids = (value ?? '').split(/\s+/).filter(Boolean).map(Number);
  if (ids.length < 3 || ids.some((id) => !Number.isInteger(id))) return undefined;
  return [ids[0]!, ids[1]!, ids[2]!];
}

/** A status size line such as "VmRSS:   1234 kB" in bytes. */
export function statusBytes(value: string | undefined): number | undefined {
  const match = /^(\d+)\s*kB$/.exec((value ?? '').trim());
  return match === null ? undefined : Number(match[1]) * 1024;
}

/** /proc/<pid>/cmdline with NULs turned into spaces and trimmed. */
export function readCmdline(pid: number): string {
  return (readText(`/proc/${pid}/cmdline`) ?? '').replace(/\0/g, ' ').trim();
}

/** /proc/<pid>/io counters; undefined when unreadable (other users' processes without root). */
export function readProcIo(pid: number): Map<string, string> | undefined {
  const text = readText(`/proc/${pid}/io`);
  return text === undefined ? undefined : parseColonPairs(text);
}

/** The first line's path of /proc/<pid>/cgroup ("0::/user.slice/…" → "/user.slice/…"). */
export function readCgroupPath(pid: number): string {
  const text = readText(`/proc/${pid}/cgroup`);
  if (text === undefined) return '';
  const first = text.split('\n')[0] ?? '';
  const colon = first.indexOf(':');
  const second = colon === -1 ? -1 : first.indexOf(':', colon + 1);
  return second === -1 ? '' : first.slice(second + 1);
}

/** readlink of /proc/<pid>/<name> (exe, cwd, root); '' when unreadable. */
export function readProcLink(pid: number, name: string): string {
  return readLink(`/proc/${pid}/${name}`) ?? '';
}

/** The system boot time in epoch seconds (btime of /proc/stat); 0 when unknown. */
export function bootTime(): number {
  const match = /^btime\s+(\d+)/m.exec(readText('/proc/stat') ?? '');
  return match === null ? 0 : Number(match[1]);
}

export interface Descriptor {
  readonly fd: number;
  readonly target: string;
}

/** Every open descriptor of a process with its link target; empty when the process vanished or is not readable. */
export function readDescriptors(pid: number): Descriptor[] {
  const out: Descriptor[] = [];
  for (const name of listDirectory(`/proc/${pid}/fd`)) {
    if (!NUMERIC.test(name)) continue;
    const target = readLink(`/proc/${pid}/fd/${name}`);
    if (target !== undefined) out.push({ fd: Number(name), target });
  }
  return out.sort((a, b) => a.fd - b.fd);
}
