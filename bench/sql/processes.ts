// Benchmark: `select * from processes` through the engine against `ps -eo pid,ppid,cmd` (a spawned ps, as a user
// would run it). Prints the median of each over RUNS runs and their ratio.
// Run: node --import tsx bench/sql/processes.ts [runs]
import { spawnSync } from 'node:child_process';
import { Engine } from '@quarry/sql';
import { processesTables } from '@quarry/tables/processes/index';

const runs = Number(process.argv[2] ?? 20);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function time(action: () => number): { ms: number; rows: number } {
  const start = process.hrtime.bigint();
  const rows = action();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, rows };
}

const engine = await Engine.create({ tables: processesTables });
const quarry = () => engine.query('select * from processes').rows.length;
const ps = () => {
  const result = spawnSync('ps', ['-eo', 'pid,ppid,cmd'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ps failed: ${result.stderr}`);
  return result.stdout.split('\n').length - 2;
};

// Warm up both (JIT, page cache), then alternate so both see the same system load.
quarry();
ps();
const quarryTimes: number[] = [];
const psTimes: number[] = [];
let quarryRows = 0;
let psRows = 0;
for (let i = 0; i < runs; i += 1) {
  const q = time(quarry);
  const p = time(ps);
  quarryTimes.push(q.ms);
  psTimes.push(p.ms);
  quarryRows = q.rows;
  psRows = p.rows;
}
const quarryMedian = median(quarryTimes);
const psMedian = median(psTimes);
console.log(`processes: ${runs} runs each, ${quarryRows} rows (ps: ${psRows} processes)`);
console.log(`quarry  select * from processes : median ${quarryMedian.toFixed(2)} ms`);
console.log(`ps      -eo pid,ppid,cmd         : median ${psMedian.toFixed(2)} ms`);
console.log(`ratio quarry/ps: ${(quarryMedian / psMedian).toFixed(2)}x`);
engine.close();
