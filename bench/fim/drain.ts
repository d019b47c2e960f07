/**
 * Draining 100,000 buffered file_events rows through SQL (target ≤ 1 s), against the peer: the same rows served to
 * the same engine from a JSON array. Also: append throughput into the LMDB ring.
 * Run: node --expose-gc --import tsx bench/fim/drain.ts   (packages built first: npx tsc -b buffers packages/sql)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type ColumnDefinition, type Row, type TableDefinition } from '@quarry/sql';
import { EventStore, eventTableGenerator, type EventRow } from '@quarry/buffers';

const ROWS = 100_000;
const BATCH = 1_000;
const RUNS = 5;

const columns: ColumnDefinition[] = [
  { name: 'target_path', type: 'TEXT' },
  { name: 'category', type: 'TEXT' },
  { name: 'action', type: 'TEXT' },
  { name: 'transaction_id', type: 'BIGINT' },
  { name: 'inode', type: 'BIGINT' },
  { name: 'uid', type: 'BIGINT' },
  { name: 'gid', type: 'BIGINT' },
  { name: 'mode', type: 'TEXT' },
  { name: 'size', type: 'BIGINT' },
  { name: 'atime', type: 'BIGINT' },
  { name: 'mtime', type: 'BIGINT' },
  { name: 'ctime', type: 'BIGINT' },
  { name: 'md5', type: 'TEXT' },
  { name: 'sha1', type: 'TEXT' },
  { name: 'sha256', type: 'TEXT' },
  { name: 'hashed', type: 'INTEGER' },
  { name: 'time', type: 'BIGINT', additional: true },
  { name: 'eid', type: 'BIGINT', hidden: true, additional: true },
];

function fileEvent(i: number): EventRow {
  const now = 1_764_000_000 + (i % 3600);
  return {
    target_path: `/var/tmp/filetest/dir${i % 100}/file-${i}.txt`,
    category: 'monitor_this',
    action: ['CREATED', 'UPDATED', 'DELETED'][i % 3] as string,
    transaction_id: 0,
    inode: 1_000_000 + i,
    uid: 0,
    gid: 0,
    mode: '0644',
    size: (i * 37) % 65536,
    atime: now,
    mtime: now,
    ctime: now,
    md5: 'd41d8cd98f00b204e9800998ecf8427e',
    sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    hashed: 1,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const dir = mkdtempSync(join(tmpdir(), 'quarry-bench-drain-'));
const store = EventStore.open(join(dir, 'events.db'), { role: 'publisher', eventsExpiry: 0, eventsMax: 0 });
try {
  const ring = store.ring('file_events');
  const source = Array.from({ length: ROWS }, (_, i) => fileEvent(i));

  let start = performance.now();
  for (let i = 0; i < ROWS; i += BATCH) await ring.append(source.slice(i, i + BATCH));
  const appendMs = performance.now() - start;
  const single = store.ring('file_events_single');
  start = performance.now();
  await single.append(source);
  const singleMs = performance.now() - start;

  // The peer: the same stored rows (time and eid included) held as a JSON array and served by a generator.
  const json = JSON.stringify(ring.peek());
  const peerTable: TableDefinition = {
    name: 'file_events_json',
    description: 'peer: rows from a JSON array',
    columns,
    generate: () => JSON.parse(json) as Row[],
  };
  // The floor: the engine alone, rows already in memory as objects.
  const stored = ring.peek();
  const memoryTable: TableDefinition = { name: 'file_events_memory', description: 'floor', columns, generate: () => stored as Row[] };
  const quarryTable: TableDefinition = { name: 'file_events', description: 'bench', columns, attributes: { eventBased: true }, generate: eventTableGenerator(ring) };
  const engine = await Engine.create({ tables: [quarryTable, peerTable, memoryTable], rowCap: ROWS * 2 });

  const drainMs: number[] = [];
  const peerMs: number[] = [];
  const readMs: number[] = [];
  const floorMs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    gc();
    start = performance.now();
    const result = engine.query('select * from file_events', { consumer: `bench-${run}` });
    result.commit();
    drainMs.push(performance.now() - start);
    if (result.rows.length !== ROWS) throw new Error(`drained ${result.rows.length} rows, expected ${ROWS}`);
    if (engine.query('select count(*) as n from file_events', { consumer: `bench-${run}` }).rows[0]?.n !== 0) {
      throw new Error('the drain did not move the cursor');
    }
    gc();
    start = performance.now();
    const peer = engine.query('select * from file_events_json');
    peerMs.push(performance.now() - start);
    if (peer.rows.length !== ROWS) throw new Error(`peer returned ${peer.rows.length} rows`);
    gc();
    start = performance.now();
    engine.query('select * from file_events_memory');
    floorMs.push(performance.now() - start);
    gc();
    start = performance.now();
    const raw = ring.read(`raw-${run}`);
    readMs.push(performance.now() - start);
    if (raw.length !== ROWS) throw new Error('raw read short');
  }
  engine.close();

  const drain = median(drainMs);
  const peer = median(peerMs);
  console.log(`rows: ${ROWS} file_events-like rows, ${columns.length - 2} columns + time + eid`);
  console.log(`append: ${(ROWS / (appendMs / 1000)).toFixed(0)} rows/s in batches of ${BATCH} (${appendMs.toFixed(0)} ms); ` +
    `${(ROWS / (singleMs / 1000)).toFixed(0)} rows/s as one batch (${singleMs.toFixed(0)} ms)`);
  console.log(`ring.read (LMDB → objects, no SQL): ${median(readMs).toFixed(0)} ms`);
  console.log(`drain through SQL (select * from file_events, commit): ${drain.toFixed(0)} ms (median of ${RUNS}; target ≤ 1000 ms) ` +
    `[${drainMs.map((v) => v.toFixed(0)).join(', ')}]`);
  console.log(`peer (same rows from a JSON array, same engine): ${peer.toFixed(0)} ms [${peerMs.map((v) => v.toFixed(0)).join(', ')}]`);
  console.log(`engine floor (rows already in memory as objects): ${median(floorMs).toFixed(0)} ms`);
  console.log(`ratio quarry/peer: ${(drain / peer).toFixed(2)}`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
