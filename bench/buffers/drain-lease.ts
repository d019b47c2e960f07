/**
 * What the drain lease costs a drain: `select eid from file_events` + commit for one consumer, 10 new rows each time,
 * through the SQL engine over a real LMDB ring. Peer (same script, same ring): the same drain read without a lease
 * (ring.read + ring.commit through a peek session, i.e. the pre-lease path: read, then move the cursor).
 * Run: node --import tsx bench/buffers/drain-lease.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '@quarry/sql';
import { EventStore } from '@quarry/buffers';
import { leaseTestTable } from '../../test/buffers/fixtures/lease-table.js';

const root = mkdtempSync(join(tmpdir(), 'bench-drain-lease-'));
const store = EventStore.open(join(root, 'db'), { role: 'publisher', eventsExpiry: 0, eventsMax: 0 });
const ring = store.ring('file_events');
const engine = await Engine.create({ tables: [leaseTestTable(ring)] });
const batch = Array.from({ length: 10 }, (_, n) => ({ n }));
const ROUNDS = 3000;

function leased(): number {
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) {
    ring.appendSync(batch);
    const result = engine.query('select eid from file_events', { consumer: 'leased' });
    result.commit();
  }
  return performance.now() - start;
}

function unleased(): number {
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) {
    ring.appendSync(batch);
    // same engine work, no lease: a peek session reads after the cursor; the cursor moves by hand afterwards
    const result = engine.query('select eid from file_events', { consumer: 'plain', peek: true });
    const last = result.rows[result.rows.length - 1];
    if (last) ring.commit('plain', Number(last.eid));
  }
  return performance.now() - start;
}

unleased();
leased(); // warm-up
const plainMs = unleased();
const leasedMs = leased();
console.log(`drain + commit of 10 new rows, ${ROUNDS} rounds (append included in both)`);
console.log(`  without a lease (peer): ${((plainMs / ROUNDS) * 1000).toFixed(1)} us per drain`);
console.log(`  with the drain lease:   ${((leasedMs / ROUNDS) * 1000).toFixed(1)} us per drain`);
console.log(`  ratio leased/unleased:  ${(leasedMs / plainMs).toFixed(2)}x`);
engine.close();
await store.close();
rmSync(root, { recursive: true, force: true });
