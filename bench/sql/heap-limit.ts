/**
 * What the SQLite heap ceiling (PRAGMA hard_heap_limit, set from --watchdog_memory_limit in quarryd's query workers)
 * costs: the same allocation-heavy statements in a worker thread whose engine has the ceiling (200 MB, quarryd's
 * default) and in one whose engine has none (the peer), alternated run by run. The ceiling belongs to a thread's
 * SQLite instance, so each side runs in its own thread (heap-limit-worker.mjs). Prints medians and the ratio.
 * Run: node --import tsx bench/sql/heap-limit.ts [runs]   (packages built first: npm run build)
 */
import { Worker } from 'node:worker_threads';

const STATEMENTS: Record<string, string> = {
  'sort 100k rows by text': 'select path from files_bench order by path desc limit 5',
  'group by + count(distinct)': 'select uid, count(distinct size), max(path) from files_bench group by uid',
  'recursive CTE, 200k steps + group_concat': "with recursive c(x) as (select 1 union all select x + 1 from c limit 200000) select length(group_concat(x, ',')) from c",
};

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 9);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const start = (heapLimitBytes: number) =>
    new Promise<Worker>((resolve) => {
      const worker = new Worker(new URL('./heap-limit-worker.mjs', import.meta.url), { workerData: { heapLimitBytes } });
      worker.once('message', () => resolve(worker));
    });
  const time = (worker: Worker, sql: string) =>
    new Promise<number>((resolve) => {
      worker.once('message', resolve);
      worker.postMessage(sql);
    });
  const sides = { with: await start(200 * 1024 * 1024), without: await start(0) };
  console.log(`SQLite heap ceiling cost, ${runs} runs each (median ms; ratio = with / without)`);
  for (const [label, sql] of Object.entries(STATEMENTS)) {
    const times = { with: [] as number[], without: [] as number[] };
    for (let run = 0; run <= runs; run++) {
      for (const side of run % 2 === 0 ? (['with', 'without'] as const) : (['without', 'with'] as const)) {
        const ms = await time(sides[side], sql);
        if (run > 0) times[side].push(ms); // run 0 warms up
      }
    }
    const [a, b] = [median(times.with), median(times.without)];
    console.log(`  ${label.padEnd(44)} with ${a.toFixed(1).padStart(7)} ms  without ${b.toFixed(1).padStart(7)} ms  ratio ${(a / b).toFixed(2)}`);
  }
  await Promise.all(Object.values(sides).map((worker) => worker.terminate()));
}

await main();
