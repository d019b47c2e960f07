/**
 * yara_events end to end: real inotify → file publisher → yara_events (libyara on a worker thread) → real LMDB ring
 * → Engine. Rows must be exactly the files `yara` reports as matching, with its rules and tags; files that match
 * nothing, directories, files over the size flag and categories not named by yara.file_paths give no row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventRuntime, type EventsConfig } from '@quarry/events';
import { EventStore } from '@quarry/buffers';
import { registerBuiltinPublishers } from '@quarry/publishers';
import { YaraEventsSubscriber } from '@quarry/subscribers/yara-events/index';
import { YaraScanPool } from '@quarry/tables/yara/index';
import { Engine, type Row } from '@quarry/sql';
import { Flags } from '@quarry/config';
import { RULES_BINARY, RULES_TEXT, ensureYara, runYara } from './yara-fixtures.js';

async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('yara_events stores a row for every created, updated or moved-in file that matches, as `yara` reports it', async () => {
  ensureYara();
  const base = mkdtempSync('/var/tmp/quarry-yara-events-');
  const watched = join(base, 'watched');
  const ignored = join(base, 'ignored');
  const outside = join(base, 'outside');
  mkdirSync(join(watched, 'sub'), { recursive: true });
  mkdirSync(ignored);
  mkdirSync(outside);
  const rulesText = join(base, 'text.yar');
  const rulesBinary = join(base, 'binary.yar');
  writeFileSync(rulesText, RULES_TEXT);
  writeFileSync(rulesBinary, RULES_BINARY);
  const dbDir = mkdtempSync(join(tmpdir(), 'quarry-yara-db-'));
  const store = EventStore.open(dbDir, { role: 'publisher' });
  const flags = new Flags();
  flags.set('disable_events', false, 'cli');
  const config: EventsConfig = {
    file_paths: { watched: [`${watched}/%%`], ignored: [`${ignored}/%`] },
    yara: { signatures: { text: [rulesText], binary: [rulesBinary] }, file_paths: { watched: ['text', 'binary'] } },
  };
  // Written before the publisher starts: its harmless first version makes no event, so the later matching update is
  // the only one (a scan of a CREATED event that ran after the update would read the new text and match too).
  writeFileSync(join(watched, 'sub', 'later.txt'), 'first version is harmless, longer than sixty-four bytes of text....');
  const runtime = createEventRuntime(flags, config, store);
  registerBuiltinPublishers(runtime, { flags });
  const pool = new YaraScanPool({ workers: 2, maxFileSize: 4096, withStrings: true });
  runtime.registerSubscriber(new YaraEventsSubscriber({ scanner: pool }));
  await runtime.start();
  const engine = await Engine.create({ tables: runtime.tables(), eventsEnabled: () => runtime.eventsEnabled() });
  const peek = (): Row[] => engine.query('select target_path, category, action, matches, count, strings, tags, time, eid from yara_events', { peek: true }).rows;
  try {
    const status = engine.query("select subscriptions, active from osquery_events where name = 'yara_events'").rows;
    assert.deepEqual(status, [{ subscriptions: 1, active: 1 }], 'only the category named in yara.file_paths is subscribed');

    const started = Math.floor(Date.now() / 1000);
    writeFileSync(join(watched, 'hello.txt'), 'say quarry-hello and alpha-token beta-token'); // CREATED, matches
    writeFileSync(join(watched, 'sub', 'plain.txt'), 'nothing to see here, a bit longer than sixty-four bytes of text.....'); // no match
    writeFileSync(join(outside, 'moved.bin'), Buffer.from([0x00, 0xde, 0xad, 0xca, 0xfe, 0x00]));
    writeFileSync(join(ignored, 'ignored.txt'), 'quarry-hello'); // category without yara groups
    writeFileSync(join(watched, 'big.txt'), '');
    truncateSync(join(watched, 'big.txt'), 8192); // over maxFileSize 4096: not scanned
    mkdirSync(join(watched, 'newdir'));
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(join(watched, 'sub', 'later.txt'), 'now it says repeat-me repeat-me repeat-me, and is longer than 64 bytes'); // UPDATED, matches
    renameSync(join(outside, 'moved.bin'), join(watched, 'moved.bin')); // MOVED_TO, matches

    const expectedPaths = [join(watched, 'hello.txt'), join(watched, 'sub', 'later.txt'), join(watched, 'moved.bin')];
    const rows = await waitFor(() => {
      const r = peek();
      return expectedPaths.every((p) => r.some((row) => row.target_path === p)) ? r : undefined;
    }, 'rows of the three matching files');
    await new Promise((r) => setTimeout(r, 300));
    const final = peek();
    const cli = runYara(['-g', '-s', '-f', '-r', rulesText, rulesBinary, watched]);
    assert.deepEqual(final.map((r) => r.target_path).sort(), [...cli.keys()].filter((p) => !p.endsWith('big.txt')).sort(),
      'exactly the files yara matches (big.txt is over the size flag)');
    const actionOf = new Map([[expectedPaths[0], 'CREATED'], [expectedPaths[1], 'UPDATED'], [expectedPaths[2], 'MOVED_TO']]);
    for (const row of final) {
      const want = cli.get(String(row.target_path))!;
      assert.equal(row.category, 'watched');
      assert.equal(row.action, actionOf.get(String(row.target_path)), `action of ${row.target_path}`);
      assert.equal(row.matches, want.map((m) => m.rule).join(','));
      assert.equal(row.count, want.length);
      assert.equal(row.tags, want.flatMap((m) => m.tags).join(','));
      assert.deepEqual(String(row.strings).split(',').sort(), want.flatMap((m) => m.strings).sort());
      assert.ok(Number(row.time) >= started && Number(row.time) <= Math.floor(Date.now() / 1000) + 1);
      assert.equal(typeof row.eid, 'number', 'eid is BIGINT like the other _events tables');
    }
    const eids = final.map((r) => Number(r.eid)).sort((a, b) => a - b);
    const above = engine.query(`select eid from yara_events where eid > ${eids[0]}`, { peek: true }).rows.map((r) => Number(r.eid)).sort((a, b) => a - b);
    assert.deepEqual(above, eids.slice(1), 'eid compares as a number');
    const statusText = String(engine.query("select status from osquery_events where name = 'yara_events'").rows[0]!['status']);
    assert.match(statusText, /^running; \d+ files scanned, 3 matched/);
    assert.equal(rows.length, final.length, 'no late duplicates');
    // A drain returns them once.
    assert.equal(engine.query('select * from yara_events', { consumer: 'c1' }).rows.length, final.length);
  } finally {
    await runtime.stop();
    await pool.close(); // the subscriber never closes the scanner it was given: its owner does
    engine.close();
    await store.close();
    rmSync(base, { recursive: true, force: true });
    rmSync(dbDir, { recursive: true, force: true });
  }
});

test('a signature group that does not compile is a config error naming the file and line', async () => {
  ensureYara();
  const base = mkdtempSync('/var/tmp/quarry-yara-events-');
  const bad = join(base, 'bad.yar');
  writeFileSync(bad, 'rule ok { condition: true }\nrule broken {\n condition: $nope\n}\n');
  const flags = new Flags();
  flags.set('disable_events', false, 'cli');
  const good: EventsConfig = { file_paths: { w: [`${base}/%`] }, yara: { signatures: {}, file_paths: {} } };
  const runtime = createEventRuntime(flags, good);
  registerBuiltinPublishers(runtime, { flags });
  const pool = new YaraScanPool();
  runtime.registerSubscriber(new YaraEventsSubscriber({ scanner: pool }));
  await runtime.start();
  try {
    await assert.rejects(
      runtime.configure({ file_paths: { w: [`${base}/%`] }, yara: { signatures: { g: [bad] }, file_paths: { w: ['g', 'missing_group'] } } }),
      (error: Error) => error.message.includes(`${bad}:4:`) && error.message.includes('undefined string') && error.message.includes('"missing_group"'),
    );
  } finally {
    await runtime.stop();
    await pool.close();
    rmSync(base, { recursive: true, force: true });
  }
});
