// The restore guard: a small child process that puts the audit state back if this process ends without doing it
// itself — killed by SIGKILL, by a signal its thread could not see (a client inside a worker thread), or by a crash
// before the hooks ran. It holds what the client changed (sent over its stdin) and acts only when its stdin closes
// without a "done" line. It only undoes a field that still holds the value this process set (compare-and-set), so it
// never overwrites a change someone made after us, and it never turns audit off when it was found on.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AuditStatusChange } from './status.js';

/** What the guard restores: found values, the values this process set, and this process's rules (hex payloads). */
export interface RestorePlan {
  pid: number;
  putBack: AuditStatusChange;
  setTo: AuditStatusChange;
  rules: string[];
}

const GUARD_SCRIPT = fileURLToPath(new URL('./restore-guard-process.js', import.meta.url));

export class RestoreGuard {
  private constructor(private readonly child: ChildProcess) {}

  /** Starts the guard, or returns undefined when it cannot run (script missing, spawn failed): hooks still apply. */
  static start(): RestoreGuard | undefined {
    if (!existsSync(GUARD_SCRIPT)) return undefined;
    try {
      // Its own session (detached): a terminal hang-up or Ctrl-C aimed at our process group must not kill the guard
      // while it starts, before its signal handlers are in place.
      const child = spawn(process.execPath, [GUARD_SCRIPT], { stdio: ['pipe', 'ignore', 'inherit'], detached: true });
      child.on('error', () => undefined);
      child.stdin!.on('error', () => undefined);
      child.unref();
      (child.stdin as unknown as { unref?: () => void }).unref?.();
      return new RestoreGuard(child);
    } catch {
      return undefined;
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Replaces the plan the guard would apply. */
  update(plan: RestorePlan): void {
    if (this.child.stdin?.writable) this.child.stdin.write(`${JSON.stringify(plan)}\n`);
  }

  /** This process restored by itself: the guard exits without acting. */
  disarm(): void {
    if (this.child.stdin?.writable) this.child.stdin.end('done\n');
  }
}
