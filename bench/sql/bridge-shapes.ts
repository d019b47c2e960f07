/**
 * Where the virtual-table bridge spends its time, by query shape: the same 100,000 rows × 10 columns (5 TEXT,
 * 5 BIGINT) read through the virtual table and through a native SQLite copy in the same engine, per shape
 * (`select *`, text columns only, integer columns only, one text column counted), plus 100,000 file_events-like
 * rows × 18 columns. Prints medians of wall and CPU time and the virtual/native ratio per shape (the peer).
 * Run: node --expose-gc --import tsx bench/sql/bridge-shapes.ts [runs]   (packages built first: npm run build)
 */
import { Engine, type Row, type TableDefinition } from '@quarry/sql';
import { FILE_EVENTS_COLUMNS } from '@quarry/subscribers/file-events/file-events-table';

const ROWS = 100_000;
const RUNS = Number(process.argv[2] ?? 7);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const columns = Array.from({ length: 10 }, (_, i) => ({ name: `c${i}`, type: i % 2 === 0 ? ('TEXT' as const) : ('BIGINT' as const) }));
const data: Row[] = Array.from({ length: ROWS }, (_, r) => {
  const row: Row = {};
  columns.forEach((column, i) => {
    row[column.name] = column.type === 'TEXT' ? `value-${r}-${i}` : r * 31 + i;
  });
  return row;
});
const fileRows: Row[] = Array.from({ length: ROWS }, (_, i) => {
  const now = 1_764_000_000 + (i % 3600);
  // Through JSON, as rows from a buffer or a file would arrive: no string is shared between rows.
  return JSON.parse(JSON.stringify({
    target_path: `/var/tmp/filetest/dir${i % 100}/file-${i}.txt`, category: 'monitor_this', action: ['CREATED', 'UPDATED', 'DELETED'][i % 3],
    transaction_id: 0, inode: 1_000_000 + i, uid: 0, gid: 0, mode: '0644', size: (i * 37) % 65536, atime: now, mtime: now, ctime: now,
    md5: 'd41d8cd98f00b204e9800998ecf8427e', sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', hashed: 1, time: now, eid: i + 1,
  })) as Row;
});
const tables: TableDefinition[] = [
  { name: 'bench_rows', description: 'benchmark rows', columns, generate: () => data },
  { name: 'bench_file_events', description: 'file_events-like rows', columns: FILE_EVENTS_COLUMNS /* file_events' own columns: the shape users query */, generate: () => fileRows },
];
const engine = await Engine.create({ tables, rowCap: ROWS * 2 });
engine.unsafeExecForBenchmark('CREATE TABLE native AS SELECT * FROM bench_rows');
engine.unsafeExecForBenchmark('CREATE TABLE native_file_events AS SELECT * FROM bench_file_events');

function measure(sql: string): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    gc();
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    engine.query(sql);
    wall.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const shapes: Array<[string, string, string]> = [
  ['select * (10 columns)', 'select * from bench_rows', 'select * from native'],
  ['5 TEXT columns', 'select c0, c2, c4, c6, c8 from bench_rows', 'select c0, c2, c4, c6, c8 from native'],
  ['5 BIGINT columns', 'select c1, c3, c5, c7, c9 from bench_rows', 'select c1, c3, c5, c7, c9 from native'],
  ['count(one TEXT column)', 'select count(c0) from bench_rows', 'select count(c0) from native'],
  ['file_events select * (18 columns)', 'select * from bench_file_events', 'select * from native_file_events'],
];
console.log(`${ROWS} rows, median of ${RUNS} runs (wall / CPU ms), virtual table vs native table in the same engine`);
for (const [label, virtualSql, nativeSql] of shapes) {
  const virtual = measure(virtualSql);
  const native = measure(nativeSql);
  console.log(
    `${label.padEnd(34)} virtual ${virtual.wall.toFixed(0).padStart(4)} / ${virtual.cpu.toFixed(0).padStart(4)}  ` +
      `native ${native.wall.toFixed(0).padStart(4)} / ${native.cpu.toFixed(0).padStart(4)}  ratio ${(virtual.wall / native.wall).toFixed(2)}`,
  );
}
engine.close();
