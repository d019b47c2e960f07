/** Running the system's own tools as references for table tests. */
import { spawnSync } from 'node:child_process';

/** stdout of a command; throws with its stderr when it fails, so a missing tool is a clear test failure. */
export function run(command: string, args: readonly string[] = [], options: { input?: string } = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', input: options.input });
  if (result.error !== undefined) throw new Error(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** A shell one-liner's stdout. */
export function sh(script: string): string {
  return run('sh', ['-c', script]);
}

export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim().length > 0);
}
