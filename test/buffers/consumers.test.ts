// Consumer names and the per-ring consumer cap: client-chosen names are validated, a ring keeps at most maxConsumers
// cursors, stale ones can be dropped, and a ring's cursors are read by a range over its own keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsumerLimitError, EventStore, consumerNameProblem, validateConsumerName } from '@quarry/buffers';
import { tempDatabasePath } from './helpers.js';

test('validateConsumerName accepts the safe set up to 128 characters and names what is wrong otherwise', () => {
  for (const good of ['c1', 'http', 'user@host', 'pack:q/1', 'a.b-c_d', 'x'.repeat(128)]) {
    assert.equal(consumerNameProblem(good), undefined, good);
    validateConsumerName(good);
  }
  assert.throws(() => validateConsumerName('x'.repeat(129)), /consumer name is 129 characters long; at most 128 are allowed/);
  assert.throws(() => validateConsumerName('has space'), /may hold only letters, digits and the characters _ \. : @ \/ -/);
  assert.throws(() => validateConsumerName(''), /non-empty string/);
  assert.throws(() => validateConsumerName(42), /non-empty string, got 42/);
});

test('the ring accepts scheduled query names (spaces) but refuses control characters and overlong names', async () => {
  const store = EventStore.open(tempDatabasePath('names'), { role: 'publisher', expiryIntervalMs: 0 });
  try {
    const ring = store.ring('file_events');
    await ring.append([{ a: 1 }]);
    ring.commit('pack_my pack_some query', 1);
    assert.equal(ring.read('pack_my pack_some query').length, 0);
    assert.throws(() => ring.commit('bad\nname', 1), /without control characters/);
    assert.throws(() => ring.read('x'.repeat(513)), /at most 512 characters without control characters/);
  } finally {
    await store.close();
  }
});

test('a ring keeps at most maxConsumers consumers; existing ones keep working and dropped ones free a place', async () => {
  const store = EventStore.open(tempDatabasePath('cap'), { role: 'publisher', expiryIntervalMs: 0, maxConsumers: 3 });
  try {
    const ring = store.ring('file_events');
    const other = store.ring('process_events');
    await ring.append([{ a: 1 }, { a: 2 }]);
    for (const name of ['c1', 'c2', 'c3']) ring.commit(name, 1);
    assert.throws(
      () => ring.commit('c4', 1),
      (error: Error) =>
        error instanceof ConsumerLimitError &&
        error.message.includes('Ring file_events already keeps 3 consumers (the limit is 3)') &&
        error.message.includes('reuse an existing consumer name, or drop stale consumers'),
    );
    ring.commit('c1', 2); // an existing consumer moves on
    other.commit('c4', 0); // the cap is per ring
    assert.equal(ring.dropConsumer('c2'), true);
    assert.equal(ring.dropConsumer('c2'), false);
    ring.commit('c4', 2);
    assert.deepEqual(ring.stats().consumers.map((c) => [c.consumer, c.cursor]).sort(), [['c1', 2], ['c3', 1], ['c4', 2]]);
    assert.deepEqual(other.stats().consumers.map((c) => c.consumer), ['c4'], "another ring's consumers are not listed");
  } finally {
    await store.close();
  }
});

test('rows pushed out at events_max are charged only to the consumers of that ring that had not read them', async () => {
  const store = EventStore.open(tempDatabasePath('lost'), { role: 'publisher', expiryIntervalMs: 0, eventsMax: 2 });
  try {
    const ring = store.ring('file_events');
    const neighbour = store.ring('file_events_x');
    await ring.append([{ a: 1 }, { a: 2 }]);
    await neighbour.append([{ a: 1 }]);
    ring.commit('behind', 0);
    ring.commit('current', 2);
    neighbour.commit('behind', 0);
    await ring.append([{ a: 3 }, { a: 4 }]); // eids 1 and 2 leave
    const lost = new Map(ring.stats().consumers.map((c) => [c.consumer, c.lost]));
    assert.deepEqual([...lost].sort(), [['behind', 2], ['current', 0]]);
    assert.equal(neighbour.stats().consumers[0]!.lost, 0);
  } finally {
    await store.close();
  }
});
