/**
 * One-shot start-up: `node bin/quarryi.js --json "select * from uptime"` against bare `node -e 0`, run alternately
 * so both see the same machine load. Prints the medians and the ratio (target ≤ 3×).
 * Run: node --import tsx bench/sql/oneshot.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../../test/temp-dir.js';

const root = new URL('../../', import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 20);
const home = tempDir('quarryi-bench-home-');

function timeOnce(args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: root, env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const quarryArgs = [join(root, 'bin', 'quarryi.js'), '--json', 'select * from uptime'];
const nodeArgs = ['-e', '0'];
// Warm the file cache once for each.
timeOnce(quarryArgs);
timeOnce(nodeArgs);
const quarry: number[] = [];
const bare: number[] = [];
for (let i = 0; i < runs; i++) {
  quarry.push(timeOnce(quarryArgs));
  bare.push(timeOnce(nodeArgs));
}
const quarryMedian = median(quarry);
const bareMedian = median(bare);
console.log(`one-shot quarryi --json "select * from uptime": median ${quarryMedian.toFixed(1)} ms over ${runs} runs`);
console.log(`node -e 0:                                      median ${bareMedian.toFixed(1)} ms over ${runs} runs`);
console.log(`ratio: ${(quarryMedian / bareMedian).toFixed(2)}x (target <= 3x)`);
