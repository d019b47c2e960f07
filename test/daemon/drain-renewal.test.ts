/**
 * A drained result that is slow to deliver (a client reading a large HTTP body slowly) keeps its drain lease: the
 * pool renews it until the result is committed or dropped. Real worker threads over a real LMDB store.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '@quarry/buffers';
import { QueryPool } from '@quarry/daemon/pool/query-pool';

const root = mkdtempSync(join(tmpdir(), 'quarryd-renewal-'));
after(() => rmSync(root, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('an undelivered drain renews its lease until it is committed or discarded; then the renewals stop', async () => {
  const databasePath = join(root, 'db');
  const store = EventStore.open(databasePath, { role: 'publisher', eventsExpiry: 0, eventsMax: 0 });
  const ring = store.ring('file_events');
  await ring.append([{ target_path: '/etc/a', action: 'CREATED' }, { target_path: '/etc/b', action: 'UPDATED' }]);
  const pool = new QueryPool({
    size: 1,
    init: {
      databasePath, openStore: true, readMax: 1 << 20, disableTables: '', enableTables: '', eventsEnabled: true,
      queryTimeoutMs: 10_000, rowCap: 1000, regexMaxSize: 256,
    },
    queueLimit: 4,
    deadlineMs: 0,
    memoryLimitMb: 0,
    applyCommits: (commits) => commits.forEach((c) => ring.commit(c.consumer, c.eid, c.owner)),
    releaseDrains: (commits) => commits.forEach((c) => c.owner && ring.releaseDrain(c.consumer, c.owner)),
    renewDrains: (commits) => commits.forEach((c) => c.owner && ring.renewDrain(c.consumer, c.owner)),
    drainRenewMs: 100,
  });
  await pool.start();
  try {
    const slow = await pool.run({ sql: 'select target_path from file_events', consumer: 'slow', peek: false });
    assert.deepEqual(slow.rows.map((r) => r['target_path']), ['/etc/a', '/etc/b']);
    assert.ok(slow.movesCursors);
    const first = ring.drainLease('slow');
    assert.ok(first, 'the undelivered result holds the lease');
    await sleep(450);
    const renewed = ring.drainLease('slow');
    assert.ok(renewed && renewed.expiresAt > first.expiresAt, `renewed: ${first.expiresAt} -> ${renewed?.expiresAt}`);
    assert.equal(renewed.takenAt, first.takenAt, 'the same lease, not a new one');
    await slow.commit();
    assert.equal(ring.drainLease('slow'), undefined, 'the commit gave it back');
    assert.equal(ring.stats().consumers.find((c) => c.consumer === 'slow')?.cursor, 2);
    await sleep(300);
    assert.equal(ring.drainLease('slow'), undefined, 'no renewal brings a committed lease back');

    await ring.append([{ target_path: '/etc/c', action: 'DELETED' }]);
    const dropped = await pool.run({ sql: 'select target_path from file_events', consumer: 'slow', peek: false });
    assert.deepEqual(dropped.rows.map((r) => r['target_path']), ['/etc/c']);
    await sleep(250);
    dropped.discard();
    assert.equal(ring.drainLease('slow'), undefined, 'the discard gave it back');
    await sleep(300);
    assert.equal(ring.drainLease('slow'), undefined, 'no renewal after the discard');
    const again = await pool.run({ sql: 'select target_path from file_events', consumer: 'slow', peek: false });
    assert.deepEqual(again.rows.map((r) => r['target_path']), ['/etc/c'], 'the dropped rows come again');
    again.discard();
  } finally {
    await pool.close();
    await store.close();
  }
});
