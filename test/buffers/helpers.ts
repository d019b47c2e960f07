import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const createdRoots: string[] = [];
process.on('exit', () => {
  for (const root of createdRoots) rmSync(root, { recursive: true, force: true });
});

let lmdbToolsReady = false;

/** Makes sure the reference tools are installed: mdb_stat, mdb_dump (lmdb-utils) and python3-lmdb. */
export function ensureLmdbTools(): void {
  if (lmdbToolsReady) return;
  execFileSync('sh', [new URL('../../scripts/ensure-lmdb-tools.sh', import.meta.url).pathname], { stdio: 'inherit' });
  lmdbToolsReady = true;
}

/** Runs Python code with Debian's python3-lmdb (`lmdb` imported): another program on the same official library. */
export function officialLmdb(code: string): string {
  ensureLmdbTools();
  return execFileSync('/usr/bin/python3', ['-c', `import lmdb, sys\n${code}`], { encoding: 'utf8' });
}

/** A database path (not yet created) inside a fresh temporary directory, removed when the test process exits. */
export function tempDatabasePath(label: string): string {
  const root = mkdtempSync(join(tmpdir(), `quarry-buffers-${label}-`));
  createdRoots.push(root);
  return join(root, 'events.db');
}

export interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line matching `pattern` (waiting for it to arrive). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

const fixture = new URL('./fixtures/buffer-process.ts', import.meta.url).pathname;

export function spawnBufferProcess(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let errors = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    for (const wake of waiters.splice(0)) wake();
    resolve(code);
  }));
  let exitedFlag = false;
  void exited.then(() => (exitedFlag = true));
  return {
    process: child,
    lines,
    exited,
    stderr: () => errors,
    async waitFor(pattern, timeoutMs = 20000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = lines.find((l) => pattern.test(l));
        if (line !== undefined) return line;
        if (exitedFlag) throw new Error(`child exited before printing ${pattern}; stderr: ${errors}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; lines: ${lines.slice(-5).join(' | ')}; stderr: ${errors}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
}

export async function killHard(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
  await child.exited;
}
