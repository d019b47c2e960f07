/**
 * The events runtime with the real file publisher and file_events subscriber through a real Engine:
 * osquery_events rows, disabled events (warning, paused, tables still present), events.disable_subscribers,
 * subscriber naming, config errors and re-subscription on config change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createEventRuntime, EventsConfigError, type EventRuntime, type EventsConfig } from '@quarry/events';
import { registerBuiltinPublishers, type FilePublisher } from '@quarry/publishers';
import { registerBuiltinSubscribers, FileEventsSubscriber } from '@quarry/subscribers';
import { Engine } from '@quarry/sql';
import { Flags } from '@quarry/config';
import { tempTree, waitFor } from '../fim/helpers.js';

function flagsWith(values: Record<string, boolean | number | string>): Flags {
  const flags = new Flags();
  for (const [name, value] of Object.entries(values)) flags.set(name, value, 'cli');
  return flags;
}

async function runtimeWith(flags: Flags, config: EventsConfig): Promise<{ runtime: EventRuntime; engine: Engine }> {
  const runtime = createEventRuntime(flags, config);
  registerBuiltinPublishers(runtime, { flags });
  registerBuiltinSubscribers(runtime, { flags });
  await runtime.start();
  const engine = await Engine.create({ tables: runtime.tables(), eventsEnabled: () => runtime.eventsEnabled() });
  return { runtime, engine };
}

test('osquery_events lists the inotify publisher and file_events, active, with counters that move', async () => {
  const tree = tempTree();
  const { runtime, engine } = await runtimeWith(flagsWith({ disable_events: false }), { file_paths: { monitor_this: [`${tree.dir}/%%`] } });
  try {
    const active = engine.query("select name, publisher, type, subscriptions, active from osquery_events where active=1 and publisher = 'inotify' order by type").rows;
    assert.deepEqual(active, [
      { name: 'inotify', publisher: 'inotify', type: 'publisher', subscriptions: 1, active: 1 },
      { name: 'file_events', publisher: 'inotify', type: 'subscriber', subscriptions: 1, active: 1 },
    ]);
    assert.deepEqual(
      engine.query('select * from osquery_events limit 1').columns.map((c) => c.name),
      ['name', 'publisher', 'type', 'subscriptions', 'events', 'refreshes', 'active'],
    );
    writeFileSync(`${tree.dir}/one`, '1');
    await waitFor(() => Number(engine.query("select events from osquery_events where name='inotify'").rows[0]!['events']) >= 1, 'publisher events counter');
    const status = engine.query("select status from osquery_events where name='inotify'").rows[0]!['status'];
    assert.match(String(status), /1 directory watched/);
  } finally {
    await runtime.stop();
    engine.close();
    tree.cleanup();
  }
});

test('with events disabled the publisher is not set up, file_events is paused, its table exists and warns', async () => {
  const tree = tempTree();
  const { runtime, engine } = await runtimeWith(flagsWith({ disable_events: true }), { file_paths: { t: [`${tree.dir}/%%`] } });
  try {
    assert.equal(runtime.eventsEnabled(), false);
    const rows = engine.query('select name, type, active from osquery_events order by name').rows;
    assert.ok(rows.length >= 2);
    assert.ok(rows.every((r) => r['active'] === 0), 'nothing is active with events disabled');
    assert.deepEqual(
      rows.filter((r) => r['name'] === 'file_events' || r['name'] === 'inotify'),
      [
        { name: 'file_events', type: 'subscriber', active: 0 },
        { name: 'inotify', type: 'publisher', active: 0 },
      ],
    );
    assert.equal((runtime.publisher('inotify') as FilePublisher).watchCount, 0);
    const result = engine.query('select * from file_events');
    assert.deepEqual(result.rows, []);
    assert.ok(result.warnings.includes('Table file_events is event-based but events are disabled'), result.warnings.join('|'));
    assert.equal(engine.table('file_events')?.attributes?.eventBased, true);
  } finally {
    await runtime.stop();
    engine.close();
    tree.cleanup();
  }
});

test('events.disable_subscribers pauses file_events (disable wins over enable) while the publisher runs', async () => {
  const tree = tempTree();
  const config = { file_paths: { t: [`${tree.dir}/%%`] }, events: { enable_subscribers: ['file_events'], disable_subscribers: ['file_events'] } };
  const { runtime, engine } = await runtimeWith(flagsWith({ disable_events: false }), config);
  try {
    const rows = engine.query("select name, active, status from osquery_events where name in ('file_events', 'inotify') order by name").rows;
    assert.equal(rows[0]!['name'], 'file_events');
    assert.equal(rows[0]!['active'], 0);
    assert.match(String(rows[0]!['status']), /disable_subscribers/);
    assert.equal(rows[1]!['active'], 1);
  } finally {
    await runtime.stop();
    engine.close();
    tree.cleanup();
  }
});

test('--enable_file_events=false given explicitly keeps the file publisher off', async () => {
  const { runtime, engine } = await runtimeWith(flagsWith({ disable_events: false, enable_file_events: false }), {});
  try {
    const row = engine.query("select active, status from osquery_events where name='inotify'").rows[0]!;
    assert.equal(row['active'], 0);
    assert.match(String(row['status']), /Publisher disabled via configuration/);
  } finally {
    await runtime.stop();
    engine.close();
  }
});

test('subscriber names must end in _events; duplicate publishers are refused', () => {
  const runtime = createEventRuntime(new Flags());
  class Badly extends FileEventsSubscriber {
    override readonly name = 'files' as 'file_events';
  }
  assert.throws(() => runtime.registerSubscriber(new Badly()), /must end in "_events"/);
  registerBuiltinPublishers(runtime, { flags: new Flags() });
  assert.throws(() => registerBuiltinPublishers(runtime, { flags: new Flags() }), /already registered/);
});

test('a config change re-subscribes; a malformed file_paths is an error naming the key, and fixing it recovers', async () => {
  const first = tempTree();
  const second = tempTree();
  const { runtime, engine } = await runtimeWith(flagsWith({ disable_events: false }), { file_paths: { a: [`${first.dir}/%%`] } });
  const publisher = runtime.publisher('inotify') as FilePublisher;
  const seen: string[] = [];
  publisher.emitter.on('event', (ctx) => seen.push(`${ctx.category} ${ctx.path}`));
  try {
    await runtime.configure({ file_paths: { b: [`${second.dir}/%`] } });
    writeFileSync(`${first.dir}/old`, '1');
    writeFileSync(`${second.dir}/new`, '1');
    await waitFor(() => seen.includes(`b ${second.dir}/new`), 'event in the new path');
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!seen.some((s) => s.endsWith('/old')), 'the old path is no longer watched');

    await assert.rejects(runtime.configure({ file_paths: { b: `${second.dir}/%`, c: 42 } }), (error: unknown) => {
      assert.ok(error instanceof EventsConfigError);
      assert.match(error.message, /"file_paths\.c" must be a list of paths/);
      return true;
    });
    assert.match(String(engine.query("select status from osquery_events where name='file_events'").rows[0]!['status']), /failed: config/);
    await assert.rejects(runtime.configure({ file_paths: { rel: ['var/tmp/x'] } }), /relative; write an absolute path/);
    await runtime.configure({ file_paths: { b: [`${second.dir}/%`] } });
    assert.equal(engine.query("select active from osquery_events where name='file_events'").rows[0]!['active'], 1);
  } finally {
    await runtime.stop();
    engine.close();
    first.cleanup();
    second.cleanup();
  }
});
