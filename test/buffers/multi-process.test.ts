import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStore } from '@quarry/buffers';
import { killHard, spawnBufferProcess, tempDatabasePath } from './helpers.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('a consumer in another process drains rows while this process publishes', async () => {
  const path = tempDatabasePath('mp-consume');
  const store = EventStore.open(path, { role: 'publisher', eventsExpiry: 0 });
  const ring = store.ring('file_events');
  await ring.append([{ n: 0 }]); // the ring exists before the consumer attaches
  const consumer = spawnBufferProcess(['consume', path, 'file_events', 'child', '500', '20000']);
  try {
    await consumer.waitFor(/^ready/);
    for (let batch = 0; batch < 50; batch++) {
      await ring.append(Array.from({ length: 10 }, (_, i) => ({ n: batch * 10 + i })));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await ring.append(range(1, 9).map((n) => ({ n })));
    const line = await consumer.waitFor(/^rows /);
    const eids = JSON.parse(line.slice(5)) as number[];
    assert.deepEqual(eids.slice(0, 500), range(1, 500), 'every row once, in eid order');
    assert.ok(consumer.lines.filter((l) => l.startsWith('committed')).length > 1, 'it drained in several reads');
    assert.equal(await consumer.exited, 0, consumer.stderr());
    // its commits are visible to this process
    const child = ring.stats().consumers.find((c) => c.consumer === 'child')!;
    assert.equal(child.cursor, eids[eids.length - 1]);
    assert.equal(ring.read('child').length, 510 - child.cursor);
  } finally {
    if (consumer.process.exitCode === null) await killHard(consumer);
    await store.close();
  }
});

test('kill -9 of a publishing process: committed rows and cursors survive, unread rows come once per consumer', async () => {
  const path = tempDatabasePath('mp-kill');
  const publisher = spawnBufferProcess(['publish', path, 'process_events', '100000', '7', '2', 'hold']);
  const consumer = EventStore.open(path, { role: 'consumer' });
  let cursorA = 0;
  try {
    await publisher.waitFor(/^appended 70$/);
    // consumer A drains what is there now, as a query would, and commits
    const ringA = consumer.ring('process_events');
    const delivered = ringA.read('A');
    cursorA = delivered[delivered.length - 1]!.eid;
    ringA.commit('A', cursorA);
    ringA.commit('B', 0); // B registers but reads nothing
    await publisher.waitFor(/^appended 2\d\d$/);
  } finally {
    await killHard(publisher);
    await consumer.close();
  }
  const appendedLines = publisher.lines.filter((l) => l.startsWith('appended '));
  const lastAcknowledged = Number(appendedLines[appendedLines.length - 1]!.split(' ')[1]);
  assert.ok(lastAcknowledged >= 200);

  const store = EventStore.open(path, { role: 'publisher', eventsExpiry: 0 }); // stale claim taken over
  try {
    const ring = store.ring('process_events');
    const stats = ring.stats();
    assert.ok(stats.rows >= lastAcknowledged, `every acknowledged append survived (${stats.rows} >= ${lastAcknowledged})`);
    assert.equal(stats.rows % 7, 0, 'batches are atomic: no half batch');
    const stored = ring.peek().map((r) => r.eid);
    assert.deepEqual(stored, range(1, stats.rows));
    const a = stats.consumers.find((c) => c.consumer === 'A')!;
    assert.equal(a.cursor, cursorA, 'the committed cursor survived');

    const unreadA = ring.read('A');
    assert.deepEqual(unreadA.map((r) => r.eid), range(cursorA + 1, stats.rows));
    ring.commit('A', unreadA[unreadA.length - 1]!.eid);
    const unreadB = ring.read('B');
    assert.deepEqual(unreadB.map((r) => r.eid), range(1, stats.rows));
    ring.commit('B', unreadB[unreadB.length - 1]!.eid);
    assert.deepEqual(ring.read('A'), [], 'delivered exactly once');
    assert.deepEqual(ring.read('B'), []);
    assert.deepEqual(await ring.append([{ pid: 1 }]), [stats.rows + 1], 'eids continue after the crash');
  } finally {
    await store.close();
  }
});

test('kill -9 of a consuming process after it committed: its cursor survives', async () => {
  const path = tempDatabasePath('mp-consumer-kill');
  const store = EventStore.open(path, { role: 'publisher' });
  try {
    const ring = store.ring('file_events');
    await ring.append(range(1, 40).map((n) => ({ n })));
    const consumer = spawnBufferProcess(['consume', path, 'file_events', 'killed', '1000', '60000']);
    await consumer.waitFor(/^committed 40$/);
    await killHard(consumer);
    const record = ring.stats().consumers.find((c) => c.consumer === 'killed')!;
    assert.equal(record.cursor, 40);
    assert.equal(record.lag, 0);
  } finally {
    await store.close();
  }
});

test('a worker thread of the publishing process attaches as a consumer', async () => {
  const { Worker } = await import('node:worker_threads');
  const path = tempDatabasePath('worker');
  const store = EventStore.open(path, { role: 'publisher' });
  try {
    const ring = store.ring('file_events');
    await ring.append(range(1, 5).map((n) => ({ n })));
    const fixture = new URL('./fixtures/worker-consumer.mjs', import.meta.url);
    const runWorker = () => new Promise<{ eids: number[]; holder: number }>((resolve, reject) => {
      const worker = new Worker(fixture, { workerData: { path, consumer: 'worker' } });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const first = await runWorker();
    assert.deepEqual(first.eids, range(1, 5));
    assert.equal(first.holder, process.pid);
    await ring.append([{ n: 6 }]);
    assert.deepEqual((await runWorker()).eids, [6]);
    assert.equal(ring.stats().consumers.find((c) => c.consumer === 'worker')!.cursor, 6);
    assert.deepEqual(await ring.append([{ n: 7 }]), [7], 'the publisher still works after the worker closed');
  } finally {
    await store.close();
  }
});
