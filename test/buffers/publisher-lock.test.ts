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
