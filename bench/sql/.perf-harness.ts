import { Engine, type ColumnDefinition, type Row, type TableDefinition } from '@quarry/sql';
const ROWS = 100_000;
const columns: ColumnDefinition[] = [
  { name: 'target_path', type: 'TEXT' }, { name: 'category', type: 'TEXT' }, { name: 'action', type: 'TEXT' },
  { name: 'transaction_id', type: 'BIGINT' }, { name: 'inode', type: 'BIGINT' }, { name: 'uid', type: 'BIGINT' },
  { name: 'gid', type: 'BIGINT' }, { name: 'mode', type: 'TEXT' }, { name: 'size', type: 'BIGINT' },
  { name: 'atime', type: 'BIGINT' }, { name: 'mtime', type: 'BIGINT' }, { name: 'ctime', type: 'BIGINT' },
  { name: 'md5', type: 'TEXT' }, { name: 'sha1', type: 'TEXT' }, { name: 'sha256', type: 'TEXT' },
  { name: 'hashed', type: 'INTEGER' }, { name: 'time', type: 'BIGINT', additional: true }, { name: 'eid', type: 'BIGINT', hidden: true, additional: true },
];
const rows: Row[] = Array.from({ length: ROWS }, (_, i) => {
  const now = 1_764_000_000 + (i % 3600);
  return JSON.parse(JSON.stringify({ time: now, eid: i + 1, target_path: `/var/tmp/filetest/dir${i % 100}/file-${i}.txt`, category: 'monitor_this',
    action: ['CREATED', 'UPDATED', 'DELETED'][i % 3], transaction_id: 0, inode: 1_000_000 + i, uid: 0, gid: 0, mode: '0644',
    size: (i * 37) % 65536, atime: now, mtime: now, ctime: now, md5: 'd41d8cd98f00b204e9800998ecf8427e',
    sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', hashed: 1 }));
});
const cols10 = Array.from({ length: 10 }, (_, i) => ({ name: `c${i}`, type: i % 2 === 0 ? ('TEXT' as const) : ('BIGINT' as const) }));
const data10: Row[] = Array.from({ length: ROWS }, (_, r) => { const row: Row = {}; cols10.forEach((c, i) => { row[c.name] = c.type === 'TEXT' ? `value-${r}-${i}` : r * 31 + i; }); return row; });
const tables: TableDefinition[] = [
  { name: 'fe', description: '', columns, generate: () => rows },
  { name: 'bench_rows', description: '', columns: cols10, generate: () => data10 },
];
const engine = await Engine.create({ tables, rowCap: 1e7 });
engine.unsafeExecForBenchmark('CREATE TABLE native AS SELECT * FROM bench_rows');
const gc = (globalThis as any).gc ?? (() => {});
const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const queries = process.argv.slice(2).length ? process.argv.slice(2) : ['select * from fe', 'select count(*) from fe', 'select * from native', 'select * from bench_rows'];
const N = Number(process.env.N ?? 7);
for (const q of queries) {
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < N; i++) {
    gc();
    const c0 = process.cpuUsage(); const t0 = performance.now();
    const r = engine.query(q);
    wall.push(performance.now() - t0); const c = process.cpuUsage(c0); cpu.push((c.user + c.system) / 1000);
    if (i === 0 && process.env.SHOW) console.log(JSON.stringify(r.rows[r.rows.length - 1]));
  }
  console.log(`${q.padEnd(32)} wall ${med(wall).toFixed(0).padStart(5)} ms (min ${Math.min(...wall).toFixed(0)})  cpu ${med(cpu).toFixed(0).padStart(5)} ms (min ${Math.min(...cpu).toFixed(0)})`);
}
