/**
 * The engine's prepared-statement cache (EngineOptions.statementCacheSize): the same small query run 20,000 times
 * in one engine with the cache on (default 64) and in one with it off (0, prepare + finalize per call), alternating
 * rounds so both see the same machine load. Shapes: Quarry's real `uptime` table (one row × 5 columns), and a
 * drain-like `SELECT *, eid FROM events` over a 10-row, 18-column event table (what quarryd's HTTP drain sends).
 * Prints the median per-query time per shape and the ratio cache-off / cache-on.
 * Run: node --expose-gc --import tsx bench/sql/statement-cache.ts [rounds]   (after npm run build)
 */
import { Engine, type Row, type TableDefinition } from '@quarry/sql';
import { FILE_EVENTS_COLUMNS } from '@quarry/subscribers/file-events/file-events-table';
import { uptime } from '@quarry/tables/system/uptime';

const CALLS = 20_000;
const ROUNDS = Number(process.argv[2] ?? 5);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const eventRows: Row[] = Array.from({ length: 10 }, (_, i) => ({
  target_path: `/var/tmp/filetest/file-${i}.txt`, category: 'monitor_this', action: 'UPDATED', transaction_id: 0, inode: 1000 + i,
  uid: 0, gid: 0, mode: '0644', size: 100 + i, atime: 1_764_000_000, mtime: 1_764_000_000, ctime: 1_764_000_000,
  md5: 'd41d8cd98f00b204e9800998ecf8427e', sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', hashed: 1, time: 1_764_000_000, eid: i + 1,
}));
const events: TableDefinition = {
  name: 'bench_file_events',
  description: 'ten buffered events',
  columns: FILE_EVENTS_COLUMNS /* file_events' own columns: the shape users query */,
  attributes: { eventBased: true },
  *generate(context) {
    if (!context.session.peek) context.session.afterDelivery(() => undefined);
    yield* eventRows;
  },
};

const shapes = [
  { name: 'select * from uptime (1 row × 5)', sql: 'select * from uptime' },
  { name: 'SELECT *, eid FROM events (10 rows × 19)', sql: 'SELECT *, eid FROM bench_file_events' },
];

const on = await Engine.create({ tables: [uptime, events] });
const off = await Engine.create({ tables: [uptime, events], statementCacheSize: 0 });

function time(engine: Engine, sql: string): number {
  gc();
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) engine.query(sql, { consumer: 'http' }).commit();
  return performance.now() - start;
}

console.log(`prepared-statement cache: ${CALLS} calls per round, ${ROUNDS} rounds (medians), cache on = 64 entries`);
for (const shape of shapes) {
  // Same answer either way (uptime may tick between calls; compare columns and row count).
  const a = on.query(shape.sql);
  const b = off.query(shape.sql);
  if (JSON.stringify(a.columns) !== JSON.stringify(b.columns) || a.rows.length !== b.rows.length) throw new Error(`${shape.sql}: cache on/off differ`);
  time(on, shape.sql);
  time(off, shape.sql);
  const withCache: number[] = [];
  const without: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    withCache.push(time(on, shape.sql));
    without.push(time(off, shape.sql));
  }
  const perOn = (median(withCache) / CALLS) * 1000;
  const perOff = (median(without) / CALLS) * 1000;
  console.log(
    `${shape.name.padEnd(42)} cache on ${median(withCache).toFixed(0).padStart(5)} ms (${perOn.toFixed(1)} µs/query)   ` +
      `cache off ${median(without).toFixed(0).padStart(5)} ms (${perOff.toFixed(1)} µs/query)   ratio off/on ${(perOff / perOn).toFixed(2)}×`,
  );
}
on.close();
off.close();
