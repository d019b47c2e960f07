/**
 * Who holds quarryd's pidfile: whether a pid is a running quarryd (not merely a live pid, which may have been
 * reused by another program since the pidfile was written), and stopping it for --force.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when pid is alive and its command line runs quarryd or osqueryd (`quarryd`, `quarryd.js`,
 * `node …/bin/osqueryd.js`).
 */
export function isRunningQuarryd(pid: number): boolean {
  if (!alive(pid)) return false;
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return true; // alive but unreadable (no /proc): assume it is ours rather than start twice
  }
  return argv.some((arg) => /^(quarryd|osqueryd)(\.js)?$/.test(basename(arg)));
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

/** --force: how long the daemon named in the pidfile gets to stop after SIGTERM before SIGKILL. */
const PIDFILE_FORCE_WAIT_MS = 10_000;

/**
 * Writes `path` with this process's pid and returns what removes it. A pidfile naming a running quarryd/osqueryd
 * stops the start, unless `force`: then that daemon gets SIGTERM (SIGKILL after PIDFILE_FORCE_WAIT_MS), as
 * osquery's --force kills a previously running daemon. A pid that is dead, or reused by another program, makes the
 * pidfile stale: it is replaced.
 */
export async function claimPidfile(path: string, force: boolean, warn: (text: string) => void): Promise<() => void> {
  if (existsSync(path)) {
    const other = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(other) && other > 0 && other !== process.pid && isRunningQuarryd(other)) {
      if (!force) {
        throw new Error(`pidfile ${path} names a running quarryd (${other}): is quarryd already running? Stop it, use another --pidfile, or pass --force to stop it`);
      }
      warn(`--force: stopping the quarryd (${other}) named in ${path}`);
      await stopProcess(other, PIDFILE_FORCE_WAIT_MS);
    }
  }
  // The pidfile is not a secret: its parent (often /run) is only created when missing, never re-moded.
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, `${process.pid}\n`, { mode: 0o644 });
  return () => rmSync(path, { force: true });
}
