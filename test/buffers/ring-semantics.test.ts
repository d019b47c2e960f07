import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStore } from '@quarry/buffers';
import { tempDatabasePath } from './helpers.js';

const fileRow = (i: number) => ({ target_path: `/etc/f${i}`, action: 'UPDATED', inode: i, size: 10 * i });

test('append gives monotonic eids and store time; read follows the cursor; commit only moves forward', async () => {
  const path = tempDatabasePath('semantics');
  const store = EventStore.open(path, { role: 'publisher' });
  try {
    const ring = store.ring('file_events');
    const before = Math.floor(Date.now() / 1000);
    const eids = await ring.append([fileRow(1), fileRow(2), fileRow(3)]);
    const after = Math.floor(Date.now() / 1000);
    assert.deepEqual(eids, [1, 2, 3]);
    const first = ring.read('shell');
    assert.deepEqual(first.map((r) => r.eid), [1, 2, 3]);
    assert.deepEqual(first.map((r) => r.target_path), ['/etc/f1', '/etc/f2', '/etc/f3']);
    for (const row of first) assert.ok(row.time >= before && row.time <= after, `time ${row.time} is the store time`);
    // read does not move the cursor
    assert.equal(ring.read('shell').length, 3);
    ring.commit('shell', 2);
    assert.deepEqual(ring.read('shell').map((r) => r.eid), [3]);
    ring.commit('shell', 1); // backwards: ignored
    assert.deepEqual(ring.read('shell').map((r) => r.eid), [3]);
    ring.commit('shell', 3);
    assert.deepEqual(ring.read('shell'), []);
    // a consumer first seen starts from the oldest stored row
    assert.deepEqual(ring.read('scheduled_query').map((r) => r.eid), [1, 2, 3]);
    assert.equal(ring.peek().length, 3, 'peek ignores cursors');
    // committing beyond the last stored eid cannot skip future rows
    ring.commit('http', 1000);
    const [next] = await ring.append([fileRow(4)]);
    assert.equal(next, 4);
    assert.deepEqual(ring.read('http').map((r) => r.eid), [4]);
    const stats = ring.stats();
    assert.equal(stats.rows, 4);
    assert.equal(stats.appended, 4);
    assert.deepEqual(
      stats.consumers.map((c) => [c.consumer, c.cursor, c.lag, c.lost]).sort(),
      [['http', 3, 1, 0], ['shell', 3, 1, 0]],
    );
  } finally {
    await store.close();
  }
});

test('values round-trip: strings, integers, doubles, bigints, null; time and eid in input rows are overwritten', async () => {
  const path = tempDatabasePath('values');
  const store = EventStore.open(path, { role: 'publisher' });
  try {
    const ring = store.ring('process_events');
    const big = 2n ** 62n + 7n;
    await ring.append([{ a: 'x', b: -5, c: 1.25, d: big, e: null, time: 1, eid: 99 }, { f: 'only f', e: undefined as unknown as null }]);
    const [one, two] = ring.peek();
    assert.equal(one!.a, 'x');
    assert.equal(one!.b, -5);
    assert.equal(one!.c, 1.25);
    assert.equal(one!.d, big);
    assert.equal(one!.e, null);
    assert.equal(one!.eid, 1);
    assert.notEqual(one!.time, 1);
    assert.equal(two!.f, 'only f');
    assert.equal(two!.a, null, 'columns a row did not have are NULL');
    assert.deepEqual(ring.peek({ columns: ['f'] }).map((r) => Object.keys(r).sort()), [['eid', 'f', 'time'], ['eid', 'f', 'time']]);
    await assert.rejects(ring.append([{ bad: { nested: true } as unknown as string }]), /Row 0 column bad holds a object/);
    assert.equal(ring.stats().rows, 2, 'a rejected batch writes nothing');
  } finally {
    await store.close();
  }
});

test('eids are never reused: they survive a restart and the expiry of every row', async () => {
  const path = tempDatabasePath('restart');
  let now = 1_700_000_000_000;
  const clock = () => now;
  let store = EventStore.open(path, { role: 'publisher', eventsExpiry: 60, clock });
  await store.ring('file_events').append([fileRow(1), fileRow(2)]);
  store.ring('file_events').commit('q', 2);
  await store.close();
  now += 120_000; // every row is now older than the expiry
  store = EventStore.open(path, { role: 'publisher', eventsExpiry: 60, clock });
  try {
    const ring = store.ring('file_events');
    assert.equal(store.expireAll(), 2);
    assert.equal(ring.stats().rows, 0);
    assert.deepEqual(await ring.append([fileRow(3)]), [3]);
    assert.deepEqual(ring.read('q').map((r) => r.eid), [3]);
    const stats = ring.stats();
    assert.equal(stats.expired, 2);
    assert.equal(stats.appended, 3);
    assert.equal(stats.consumers[0]!.lost, 0, 'q had read the expired rows');
  } finally {
    await store.close();
  }
});

test('time-bounded reads are windows found by seeking: few rows touched among 200,000', async () => {
  const path = tempDatabasePath('seek');
  const base = 1_700_000_000;
  let second = base;
  const store = EventStore.open(path, { role: 'publisher', eventsExpiry: 0, eventsMax: 0, clock: () => second * 1000 });
  try {
    const ring = store.ring('file_events');
    for (let batch = 0; batch < 1000; batch++) {
      second = base + batch;
      await ring.append(Array.from({ length: 200 }, (_, i) => fileRow(batch * 200 + i)));
    }
    assert.equal(ring.stats().rows, 200_000);
    ring.commit('drainer', 150_000);

    const touchedBefore = ring.rowsTouched;
    const window = ring.peek({ timeFrom: base + 500, timeTo: base + 501 });
    const touched = ring.rowsTouched - touchedBefore;
    assert.equal(window.length, 400);
    assert.ok(window.every((r) => r.time === base + 500 || r.time === base + 501));
    assert.equal(window[0]!.eid, 500 * 200 + 1);
    assert.ok(touched < 400 + 80, `a 400-row window touched ${touched} rows`);

    const open = ring.peek({ timeFrom: base + 998 });
    assert.equal(open.length, 400);
    const upper = ring.peek({ timeTo: base + 1 });
    assert.equal(upper.length, 400);
    const limited = ring.peek({ timeFrom: base + 10, limit: 5 });
    assert.deepEqual(limited.map((r) => r.eid), [2001, 2002, 2003, 2004, 2005]);
    assert.deepEqual(ring.peek({ timeFrom: base + 2000 }), []);
    assert.deepEqual(ring.peek({ timeFrom: base + 5, timeTo: base + 4 }), []);
    // read() combines the consumer's cursor with the window
    const afterCursor = ring.read('drainer', { timeFrom: base + 700, timeTo: base + 760 });
    assert.equal(afterCursor[0]!.eid, 150_001);
    assert.equal(afterCursor.length, 200 * 11);
    const eidWindow = ring.peek({ eidFrom: 10, eidTo: 12 });
    assert.deepEqual(eidWindow.map((r) => r.eid), [10, 11, 12]);
  } finally {
    await store.close();
  }
});

test('events_max keeps the newest rows, counts the dropped and raises lost only for consumers that had not read them', async () => {
  const path = tempDatabasePath('max');
  const store = EventStore.open(path, { role: 'publisher', eventsMax: 10, eventsExpiry: 0 });
  try {
    const ring = store.ring('socket_events');
    await ring.append(Array.from({ length: 8 }, (_, i) => fileRow(i)));
    ring.commit('fast', 8);
    ring.commit('slow', 2);
    await ring.append(Array.from({ length: 5 }, (_, i) => fileRow(100 + i))); // 13 rows → the 3 oldest go
    let stats = ring.stats();
    assert.equal(stats.rows, 10);
    assert.equal(stats.dropped, 3);
    const byName = new Map(stats.consumers.map((c) => [c.consumer, c]));
    assert.equal(byName.get('fast')!.lost, 0);
    assert.equal(byName.get('slow')!.lost, 1, 'slow had read eids 1-2, lost eid 3');
    assert.equal(byName.get('slow')!.lag, 10);
    assert.deepEqual(ring.read('slow').map((r) => r.eid), [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    // a batch larger than events_max keeps only its newest rows
    await ring.append(Array.from({ length: 25 }, (_, i) => fileRow(200 + i)));
    stats = ring.stats();
    assert.equal(stats.rows, 10);
    assert.equal(stats.appended, 38);
    assert.equal(stats.dropped, 28);
    assert.deepEqual(ring.peek().map((r) => r.eid), [29, 30, 31, 32, 33, 34, 35, 36, 37, 38]);
    const fast = ring.stats().consumers.find((c) => c.consumer === 'fast')!;
    assert.equal(fast.lost, 15 + 5, 'fast lost the 15 rows of the big batch never stored (eids 14-28) and eids 9-13');
  } finally {
    await store.close();
  }
});

test('rows older than events_expiry go on the timer and on append (real clock)', async () => {
  const path = tempDatabasePath('expiry');
  const store = EventStore.open(path, { role: 'publisher', eventsExpiry: 1, expiryIntervalMs: 200 });
  try {
    const ring = store.ring('file_events');
    const other = store.ring('process_events');
    await ring.append([fileRow(1), fileRow(2)]);
    await other.append([fileRow(3)]);
    ring.commit('lagging', 1);
    assert.equal(ring.peek().length, 2);
    await new Promise((resolve) => setTimeout(resolve, 2300));
    // the timer expired both rings without any append
    assert.equal(ring.stats().rows, 0);
    assert.equal(other.stats().rows, 0);
    assert.equal(ring.stats().expired, 2);
    assert.equal(ring.stats().consumers[0]!.lost, 1, 'lagging never read eid 2');
    await ring.append([fileRow(4)]);
    assert.deepEqual(ring.read('lagging').map((r) => r.eid), [3]);
  } finally {
    await store.close();
  }
  // expiry on append, no timer
  const path2 = tempDatabasePath('expiry-append');
  const store2 = EventStore.open(path2, { role: 'publisher', eventsExpiry: 1, expiryIntervalMs: 0 });
  try {
    const ring = store2.ring('file_events');
    await ring.append([fileRow(1)]);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    assert.equal(ring.stats().rows, 1, 'no timer: the old row waits for the next append');
    await ring.append([fileRow(2)]);
    assert.deepEqual(ring.peek().map((r) => r.eid), [2]);
    assert.equal(ring.stats().expired, 1);
  } finally {
    await store2.close();
  }
});

test('bad arguments get clear errors', async () => {
  const path = tempDatabasePath('args');
  assert.throws(() => EventStore.open(path, { role: 'writer' as 'publisher' }), /role must be 'publisher' or 'consumer'/);
  assert.throws(() => EventStore.open(path, { role: 'publisher', eventsMax: -1 }), /eventsMax must be a non-negative integer/);
  const store = EventStore.open(path, { role: 'consumer' });
  try {
    assert.throws(() => store.ring('bad name!'), /Subscriber name "bad name!" is not valid/);
    const ring = store.ring('file_events');
    await assert.rejects(ring.append([{ a: 1 }]), /opened as a consumer; only its publisher appends/);
    assert.throws(() => ring.commit('', 1), /Consumer name must be a non-empty string/);
    assert.throws(() => ring.commit('c', -1), /non-negative integer eid/);
  } finally {
    await store.close();
  }
  assert.throws(() => store.ring('file_events'), /is closed/);
});

test('key-value sub-databases hold a process\'s own state across restarts', async () => {
  const path = tempDatabasePath('kv');
  let store = EventStore.open(path, { role: 'publisher' });
  const kv = store.kv('daemon');
  await kv.put('executing_query', 'pack_fim_q1');
  await kv.put('diff.q1', '[{"a":"1"}]');
  await kv.delete('diff.q1');
  kv.putSync('splay', '17');
  await store.flush();
  assert.deepEqual(kv.keys(), ['executing_query', 'splay']);
  await store.close();
  store = EventStore.open(path, { role: 'consumer' });
  try {
    assert.equal(store.kv('daemon').get('executing_query'), 'pack_fim_q1');
    assert.equal(store.kv('daemon').get('missing'), undefined);
    assert.deepEqual(store.rings(), [], 'key-value stores are not rings');
    await assert.rejects(store.kv('daemon').put('k', 5 as unknown as string), /must be a string/);
  } finally {
    await store.close();
  }
});
