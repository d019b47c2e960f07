/** Runs the real quarryi (bin/quarryi.js, built packages) as a child process. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../temp-dir.js';

export const repoRoot = new URL('../../', import.meta.url).pathname;
export const quarryiPath = join(repoRoot, 'bin', 'quarryi.js');

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number | null;
}

/** A private HOME so history and the shell database never touch the real one. */
export function privateHome(): string {
  return tempDir('quarryi-test-home-');
}

export function quarryi(args: string[], options: { input?: string; env?: Record<string, string>; cwd?: string } = {}): RunResult {
  const result = spawnSync(process.execPath, [quarryiPath, ...args], {
    input: options.input ?? '',
    encoding: 'utf8',
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, HOME: options.env?.HOME ?? privateHomeOnce(), ...options.env },
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

let sharedHome: string | undefined;
function privateHomeOnce(): string {
  sharedHome ??= privateHome();
  return sharedHome;
}
