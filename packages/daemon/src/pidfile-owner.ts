/**
 * Who holds quarryd's pidfile: whether a pid is a running quarryd (not merely a live pid, which may have been
 * reused by another program since the pidfile was written), and stopping it for --force.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when pid is alive and its command line runs quarryd (`quarryd`, `quarryd.js`, `node …/bin/quarryd.js`). */
export function isRunningQuarryd(pid: number): boolean {
  if (!alive(pid)) return false;
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return true; // alive but unreadable (no /proc): assume it is ours rather than start twice
  }
  return argv.some((arg) => /^quarryd(\.js)?$/.test(basename(arg)));
}

/** SIGTERM, then SIGKILL if pid has not exited within waitMs; resolves once it is gone. */
export async function stopProcess(pid: number, waitMs: number): Promise<void> {
  const gone = async (deadline: number): Promise<boolean> => {
    while (Date.now() < deadline) {
      if (!alive(pid)) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return !alive(pid);
  };
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await gone(Date.now() + waitMs)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  if (!(await gone(Date.now() + 5000))) throw new Error(`process ${pid} did not exit after SIGKILL`);
}
