import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, type TableDefinition } from '@quarry/sql';
import { EventStore, eventTableGenerator, quarryBuffersTable, boundsFromConstraints, type EventRing } from '@quarry/buffers';
import { tempDatabasePath } from './helpers.js';

function eventsTable(ring: EventRing): TableDefinition {
  return {
    name: 'file_events',
    description: 'test event table',
    columns: [
      { name: 'target_path', type: 'TEXT' },
      { name: 'action', type: 'TEXT' },
      { name: 'time', type: 'BIGINT', additional: true },
      { name: 'eid', type: 'BIGINT', hidden: true, additional: true },
    ],
    attributes: { eventBased: true },
    generate: eventTableGenerator(ring),
  };
}

async function setUp(label: string, clock?: () => number) {
  const store = EventStore.open(tempDatabasePath(label), { role: 'publisher', eventsExpiry: 0, ...(clock ? { clock } : {}) });
  const ring = store.ring('file_events');
  const engine = await Engine.create({ tables: [eventsTable(ring), quarryBuffersTable(store)] });
  return { store, ring, engine };
}

test('a select drains for its consumer, committing only when the caller commits the delivered result', async () => {
  const { store, ring, engine } = await setUp('drain');
  try {
    await ring.append([{ target_path: '/a', action: 'CREATED' }, { target_path: '/b', action: 'UPDATED' }]);
    const first = engine.query('select target_path, eid from file_events', { consumer: 'shell' });
    assert.deepEqual(first.rows, [{ target_path: '/a', eid: 1 }, { target_path: '/b', eid: 2 }]);
    // not delivered yet (no commit): a crash here re-delivers; meanwhile a second drain of the consumer is refused
    // (drain lease) and a peek still sees both rows
    assert.throws(() => engine.query('select * from file_events', { consumer: 'shell' }), /is being drained for consumer "shell"/);
    assert.equal(engine.query('select * from file_events', { consumer: 'shell', peek: true }).rows.length, 2);
    first.commit();
    assert.deepEqual(engine.query('select * from file_events', { consumer: 'shell' }).rows, []);
    await ring.append([{ target_path: '/c', action: 'DELETED' }]);
    const next = engine.query('select target_path from file_events', { consumer: 'shell' });
    assert.deepEqual(next.rows, [{ target_path: '/c' }]);
    next.commit();
    // another consumer has its own cursor
    const other = engine.query('select count(*) as n from file_events', { consumer: 'pack_fim' });
    assert.deepEqual(other.rows, [{ n: 3 }]);
    other.commit();
    // a peek session reads without moving the cursor
    await ring.append([{ target_path: '/d', action: 'CREATED' }]);
    const peeked = engine.query('select target_path from file_events', { consumer: 'shell', peek: true });
    peeked.commit();
    assert.deepEqual(peeked.rows, [{ target_path: '/d' }]);
    assert.deepEqual(engine.query('select target_path from file_events', { consumer: 'shell' }).rows, [{ target_path: '/d' }]);

    // only the rows SQLite pulled are drained: LIMIT leaves the rest for the next query
    await ring.append([{ target_path: '/e', action: 'CREATED' }, { target_path: '/f', action: 'CREATED' }]);
    const limited = engine.query('select target_path from file_events limit 2', { consumer: 'pack_fim' });
    limited.commit();
    assert.deepEqual(limited.rows, [{ target_path: '/d' }, { target_path: '/e' }]);
    const rest = engine.query('select target_path from file_events', { consumer: 'pack_fim' });
    rest.commit();
    assert.deepEqual(rest.rows, [{ target_path: '/f' }]);

    const buffers = engine.query('select subscriber, rows, appended, consumer, cursor, lag, lost from quarry_buffers order by consumer');
    assert.deepEqual(buffers.rows, [
      { subscriber: 'file_events', rows: 6, appended: 6, consumer: 'pack_fim', cursor: 6, lag: 0, lost: 0 },
      { subscriber: 'file_events', rows: 6, appended: 6, consumer: 'shell', cursor: 3, lag: 3, lost: 0 },
    ]);
  } finally {
    engine.close();
    await store.close();
  }
});

test('time and eid constraints make a window: pushed down, cursor untouched', async () => {
  let second = 1_800_000_000;
  const { store, ring, engine } = await setUp('window', () => second * 1000);
  try {
    for (let i = 0; i < 10; i++) {
      second = 1_800_000_000 + i;
      await ring.append([{ target_path: `/t${i}`, action: 'CREATED' }]);
    }
    const touched = ring.rowsTouched;
    const window = engine.query('select target_path, time from file_events where time >= 1800000003 and time < 1800000006', { consumer: 'shell' });
    window.commit();
    assert.deepEqual(window.rows.map((r) => r.target_path), ['/t3', '/t4', '/t5']);
    assert.ok(ring.rowsTouched - touched <= 3 + 12, 'the bounds reached the ring');
    assert.equal(engine.query('select * from file_events where eid = 7', { consumer: 'shell' }).rows.length, 1);
    assert.deepEqual(engine.query('select eid from file_events where eid in (2, 9)', { consumer: 'shell' }).rows, [{ eid: 2 }, { eid: 9 }]);
    assert.deepEqual(engine.query('select eid from file_events where time > 1800000008', { consumer: 'shell' }).rows, [{ eid: 10 }]);
    // none of that moved the shell's cursor: the drain still returns everything
    const drain = engine.query('select count(*) as n from file_events', { consumer: 'shell' });
    assert.deepEqual(drain.rows, [{ n: 10 }]);
    // the empty-ring row of quarry_buffers: consumer NULL
    store.ring('process_events');
    const empty = engine.query("select rows, oldest_time, consumer from quarry_buffers where subscriber = 'process_events'");
    assert.deepEqual(empty.rows, [{ rows: 0, oldest_time: null, consumer: null }]);
    const times = engine.query("select oldest_time, newest_time from quarry_buffers where subscriber = 'file_events'");
    assert.deepEqual(times.rows, [{ oldest_time: 1_800_000_000, newest_time: 1_800_000_009 }]);
  } finally {
    engine.close();
    await store.close();
  }
});

test('constraints become bounds that cover the answer', () => {
  const c = (column: string, operator: '=' | '>' | '>=' | '<' | '<=' | 'LIKE', value: string | number | bigint) => ({ column, operator, value });
  assert.equal(boundsFromConstraints([c('target_path', '=', '/x')]), undefined);
  assert.deepEqual(boundsFromConstraints([c('time', '>', 10), c('time', '<=', 20)]), { timeFrom: 11, timeTo: 20 });
  assert.deepEqual(boundsFromConstraints([c('time', '>=', 10.5), c('time', '<', 20.5)]), { timeFrom: 11, timeTo: 20 });
  assert.deepEqual(boundsFromConstraints([c('eid', '=', 5n), c('eid', '=', 9)]), { eidFrom: 5, eidTo: 9 });
  assert.deepEqual(boundsFromConstraints([c('eid', '=', '0000000042')]), { eidFrom: 42, eidTo: 42 });
  assert.deepEqual(boundsFromConstraints([c('time', '>', 30), c('time', '<', 20)]), { eidFrom: 1, eidTo: 0 });
  assert.deepEqual(boundsFromConstraints([c('time', '=', 'soon')]), {}, 'a non-numeric bound is still a window');
});
