/**
 * Autoloaded extensions (--extensions_autoload, quarryi's --extension): each executable is started with
 * `--socket <extensions_socket> --timeout <s> --interval <s>` and OSQUERY_EXTENSION=<our pid>, and started again with
 * a growing delay (1 s doubling up to 60 s, reset after a minute of life) whenever it exits, until stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import type { ManagerLog } from './extension-manager.js';

export interface LauncherOptions {
  readonly socketPath: string;
  readonly timeoutSeconds: number;
  readonly intervalSeconds: number;
  readonly verbose: boolean;
  readonly log: ManagerLog;
}

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 60_000;
const STABLE_MS = 60_000;

/** The executables an autoload file lists (one per line, `#` comments and blank lines skipped). Throws if unreadable. */
export function readAutoloadFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`--extensions_autoload ${path} cannot be read: ${(error as Error).message}`);
  }
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Why an executable cannot be autoloaded, or undefined when it can. */
export function autoloadProblem(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return `${path} is not a file`;
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (error) {
    return `${path} cannot be executed: ${(error as Error).message}`;
  }
}

interface Launched {
  readonly path: string;
  child: ChildProcess | undefined;
  delayMs: number;
  timer: NodeJS.Timeout | undefined;
  starts: number;
}

export class ExtensionLauncher {
  private readonly launched: Launched[] = [];
  private stopped = false;

  constructor(private readonly options: LauncherOptions) {}

  /** Starts each executable that can run; the others are logged and skipped. */
  start(paths: readonly string[]): void {
    for (const path of paths) {
      const problem = autoloadProblem(path);
      if (problem) {
        this.options.log.warn(`Extension autoload: ${problem}; not loaded`);
        continue;
      }
      const entry: Launched = { path, child: undefined, delayMs: FIRST_DELAY_MS, timer: undefined, starts: 0 };
      this.launched.push(entry);
      this.run(entry);
    }
  }

  /** Pids of the running extension processes. */
  pids(): number[] {
    return this.launched.flatMap((entry) => (entry.child?.pid !== undefined && entry.child.exitCode === null ? [entry.child.pid] : []));
  }

  /** Stops restarting and ends every extension process (SIGTERM, then SIGKILL after 2 s). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      this.launched.map((entry) => {
        clearTimeout(entry.timer);
        const child = entry.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return undefined;
        return new Promise<void>((resolve) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        });
      }),
    );
  }

  private run(entry: Launched): void {
    if (this.stopped) return;
    const args = ['--socket', this.options.socketPath, '--timeout', String(this.options.timeoutSeconds), '--interval', String(this.options.intervalSeconds)];
    if (this.options.verbose) args.push('--verbose');
    const started = Date.now();
    entry.starts += 1;
    const child = spawn(entry.path, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, OSQUERY_EXTENSION: String(process.pid) } });
    entry.child = child;
    child.on('error', (error) => this.options.log.warn(`Extension ${entry.path} could not start: ${error.message}`));
    child.on('exit', (code, signal) => {
      if (this.stopped) return;
      if (Date.now() - started > STABLE_MS) entry.delayMs = FIRST_DELAY_MS;
      this.options.log.warn(`Extension ${entry.path} exited (${signal ?? `code ${code}`}); starting it again in ${entry.delayMs / 1000} s`);
      entry.timer = setTimeout(() => this.run(entry), entry.delayMs);
      entry.timer.unref();
      entry.delayMs = Math.min(entry.delayMs * 2, MAX_DELAY_MS);
    });
  }
}

/**
 * Waits until every named extension registered (--extensions_require), polling `registered`; rejects naming the
 * missing ones after `timeoutMs`.
 */
export async function waitForExtensions(names: readonly string[], registered: (name: string) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = names.filter((name) => !registered(name));
    if (missing.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(`Required extension${missing.length > 1 ? 's' : ''} not registered within ${timeoutMs / 1000} s (--extensions_require): ${missing.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
