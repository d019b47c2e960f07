/**
 * SQL engine benchmark. Prints medians and ratios:
 *  1. `select *` of 100,000 rows × 10 columns through a virtual table vs the same rows from a native SQLite table
 *     in the same engine (target: ratio ≤ 2). The native table is built with Engine.unsafeExecForBenchmark
 *     (`CREATE TABLE native AS SELECT * FROM bench_rows`), the only unguarded path, meant for exactly this.
 *  2. Engine.create with 60 tables, beyond sqlite-wasm's one-time init (target < 20 ms).
 *  3. A one-shot `select * from uptime`-style query on a fresh engine.
 * Run: node --import tsx bench/sql/vtab.ts   (add --expose-gc for steadier figures: a GC runs between runs)
 */
import { Engine, type Row, type TableDefinition } from '@quarry/sql';

const ROWS = 100_000;
const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// Engine.create with 60 tables, beyond sqlite-wasm's one-time init (done by the warm-up engine).
(await Engine.create({ tables: [] })).close();
const many: TableDefinition[] = Array.from({ length: 60 }, (_, t) => ({
  name: `table_${t}`,
  description: 'synthetic',
  aliases: t % 10 === 0 ? [`alias_${t}`] : undefined,
  columns: [
    { name: 'id', type: 'INTEGER', index: true },
    { name: 'path', type: 'TEXT', required: t % 7 === 0 },
    { name: 'name', type: 'TEXT' },
    { name: 'size', type: 'BIGINT' },
    { name: 'hidden_col', type: 'TEXT', hidden: true },
  ],
  generate: () => [{ id: 1, path: '/', name: 'x', size: 1 }],
}));
const uptime: TableDefinition = {
  name: 'uptime',
  description: 'uptime',
  columns: [
    { name: 'days', type: 'INTEGER' },
    { name: 'hours', type: 'INTEGER' },
    { name: 'minutes', type: 'INTEGER' },
    { name: 'seconds', type: 'INTEGER' },
    { name: 'total_seconds', type: 'BIGINT' },
  ],
  generate: () => [{ days: 0, hours: 1, minutes: 2, seconds: 3, total_seconds: 3723 }],
};
const createTimes: number[] = [];
const oneShotTimes: number[] = [];
const emptyTimes: number[] = [];
for (let run = 0; run < RUNS; run++) {
  let start = performance.now();
  const empty = await Engine.create({ tables: [] });
  emptyTimes.push(performance.now() - start);
  empty.close();
  start = performance.now();
  const sixty = await Engine.create({ tables: [...many, uptime] });
  createTimes.push(performance.now() - start);
  start = performance.now();
  sixty.query('select * from uptime');
  oneShotTimes.push(performance.now() - start);
  sixty.close();
}
const createMedian = median(createTimes);
const emptyMedian = median(emptyTimes);
console.log(`Engine.create: 0 tables median ${emptyMedian.toFixed(2)} ms, 61 tables median ${createMedian.toFixed(2)} ms, per-table cost ${((createMedian - emptyMedian) / 61).toFixed(3)} ms (target: 61 tables < 20 ms beyond sqlite init)`);
console.log(`one-shot 'select * from uptime' on a fresh 61-table engine: median ${median(oneShotTimes).toFixed(2)} ms`);

const columns = Array.from({ length: 10 }, (_, i) => ({ name: `c${i}`, type: i % 2 === 0 ? ('TEXT' as const) : ('BIGINT' as const) }));
const data: Row[] = Array.from({ length: ROWS }, (_, r) => {
  const row: Row = {};
  columns.forEach((column, i) => {
    row[column.name] = column.type === 'TEXT' ? `value-${r}-${i}` : r * 31 + i;
  });
  return row;
});
const benchRows: TableDefinition = { name: 'bench_rows', description: 'benchmark rows', columns, generate: () => data };

const engine = await Engine.create({ tables: [benchRows] });
engine.unsafeExecForBenchmark('CREATE TABLE native AS SELECT * FROM bench_rows');
const nativeTimes: number[] = [];
const virtualTimes: number[] = [];
for (let run = 0; run < RUNS; run++) {
  (globalThis as { gc?: () => void }).gc?.();
  let start = performance.now();
  const native = engine.query('select * from native');
  nativeTimes.push(performance.now() - start);
  (globalThis as { gc?: () => void }).gc?.();
  start = performance.now();
  const virtual = engine.query('select * from bench_rows');
  virtualTimes.push(performance.now() - start);
  if (native.rows.length !== ROWS || virtual.rows.length !== ROWS) throw new Error('row count mismatch');
  if (JSON.stringify(native.rows[ROWS - 1]) !== JSON.stringify(virtual.rows[ROWS - 1])) throw new Error('row content mismatch');
}
engine.close();
const nativeMedian = median(nativeTimes);
const virtualMedian = median(virtualTimes);
console.log(`select * 100000 rows x 10 cols: native table median ${nativeMedian.toFixed(1)} ms, virtual table median ${virtualMedian.toFixed(1)} ms, ratio ${(virtualMedian / nativeMedian).toFixed(2)} (target <= 2)`);

