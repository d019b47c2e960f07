// Whether the process registered as the kernel's audit daemon still runs. An audit daemon killed with SIGKILL never
// unregisters: the kernel keeps its pid (a stale pid) until it next fails to reach the daemon's socket — at the next
// record, or at anyone's request to set the pid, which the kernel then grants (it tests the old daemon first).
import { readFileSync } from 'node:fs';

/**
 * True when a process with this pid runs (exists and is not a zombie). A pid the audit status names that does not
 * run is stale, and `openReader({ mode: 'auto' })` takes it over. (A pid reused by an unrelated process counts as
 * running: then auto stays multicast, and unicast asks the kernel, which knows.)
 */
export function processIsRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // "pid (comm) S ...": the state letter follows the last ')' (comm may hold parentheses and spaces).
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}
