import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStore } from '@quarry/buffers';
import { killHard, spawnBufferProcess, tempDatabasePath } from './helpers.js';

test('a second publisher in the same process is refused and the first keeps working', async () => {
  const path = tempDatabasePath('lock-same');
  const first = EventStore.open(path, { role: 'publisher' });
  try {
    assert.throws(
      () => EventStore.open(path, { role: 'publisher' }),
      new RegExp(`Database ${path} is already being published to by pid ${process.pid}; `),
    );
    assert.equal(first.holderPid, process.pid);
    assert.deepEqual(await first.ring('file_events').append([{ a: 1 }]), [1]);
  } finally {
    await first.close();
  }
  // closing releases the claim
  const next = EventStore.open(path, { role: 'publisher' });
  await next.close();
});

test('a publisher in another process refuses ours with its pid; consumers still attach', async () => {
  const path = tempDatabasePath('lock-other');
  const child = spawnBufferProcess(['publish', path, 'file_events', '1', '3', '0', 'hold']);
  try {
    const ready = await child.waitFor(/^ready \d+$/);
    await child.waitFor(/^done$/);
    const childPid = Number(ready.split(' ')[1]);
    assert.equal(childPid, child.process.pid);
    assert.throws(
      () => EventStore.open(path, { role: 'publisher' }),
      new RegExp(`Database ${path} is already being published to by pid ${childPid}`),
    );
    const consumer = EventStore.open(path, { role: 'consumer' });
    try {
      assert.equal(consumer.holderPid, childPid);
      assert.deepEqual(consumer.ring('file_events').read('me').map((r) => r.eid), [1, 2, 3]);
    } finally {
      await consumer.close();
    }
  } finally {
    await killHard(child);
  }
});

test('the claim of a publisher killed with -9 is stale and taken over', async () => {
  const path = tempDatabasePath('lock-stale');
  const child = spawnBufferProcess(['publish', path, 'file_events', '1', '2', '0', 'hold']);
  await child.waitFor(/^done$/);
  await killHard(child);
  const consumer = EventStore.open(path, { role: 'consumer' });
  assert.equal(consumer.holderPid, undefined, 'a dead publisher holds nothing');
  await consumer.close();
  const store = EventStore.open(path, { role: 'publisher' });
  try {
    assert.equal(store.holderPid, process.pid);
    assert.deepEqual(await store.ring('file_events').append([{ a: 1 }]), [3]);
  } finally {
    await store.close();
  }
});

test('a claim whose pid now belongs to another process (pid reuse, container restart) is stale', async () => {
  const { Environment } = await import('node-liblmdb');
  const { LmdbTable, msgpack, stringKey } = await import('@quarry/buffers/lmdb-table');
  const { readFileSync } = await import('node:fs');
  const startTicksOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
  const path = tempDatabasePath('lock-reuse');
  await (EventStore.open(path, { role: 'consumer' })).close();
  const writeClaim = (claim: object) => {
    const env = Environment.open(path, { maxDbs: 256 });
    const meta = new LmdbTable<string, unknown>(env, 'meta', stringKey, msgpack());
    env.write((txn) => meta.put(txn, 'publisher', claim));
    env.close();
  };
  // our own pid, but an earlier start time: a predecessor that had this pid
  writeClaim({ pid: process.pid, startTicks: startTicksOf(process.pid) - 1 });
  let store = EventStore.open(path, { role: 'publisher' });
  assert.equal(store.holderPid, process.pid);
  await store.close();
  // pid 1 is alive but started at another time than the claim says
  writeClaim({ pid: 1, startTicks: startTicksOf(1) + 12345 });
  store = EventStore.open(path, { role: 'publisher' });
  await store.close();
  // the real pid 1 with its real start time holds the database
  writeClaim({ pid: 1, startTicks: startTicksOf(1) });
  assert.throws(() => EventStore.open(path, { role: 'publisher' }), /is already being published to by pid 1;/);
  const consumer = EventStore.open(path, { role: 'consumer' });
  assert.equal(consumer.holderPid, 1);
  await consumer.close();
});
