/**
 * A broken pack does not break the config (issue #10 item 8): with one pack file missing and one holding bad JSON,
 * a real quarryd warns naming each (never "check --config_path"), runs the schedule and the good pack, watches the
 * config's file_paths, and /metrics says the config is valid, when it was loaded and how many packs were skipped.
 * A main config that cannot be read turns quarry_config_valid to 0 and keeps the time of the last good load.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QuarrydProcess, waitFor } from './quarryd-process.js';

const daemons: QuarrydProcess[] = [];
after(async () => {
  for (const d of daemons) {
    await d.stop();
    d.cleanup();
  }
});

function metric(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  assert.ok(match, `${name} in /metrics`);
  return Number(match[1]);
}

test('an unreadable pack is skipped with a warning naming it; schedule, other packs and FIM apply; /metrics tells', async () => {
  const d = new QuarrydProcess();
  daemons.push(d);
  const good = join(d.dir, 'good.conf');
  const bad = join(d.dir, 'bad.conf');
  writeFileSync(good, JSON.stringify({ queries: { procs: { query: 'SELECT 2 AS two', interval: 1 } } }));
  writeFileSync(bad, '{"queries": {"q": {"query": "SELECT 3"');
  d.writeConfig({
    schedule: { own: { query: 'SELECT 1 AS one', interval: 1 } },
    packs: { missing: join(d.dir, 'no-such-pack.conf'), broken: bad, good },
    file_paths: { watched: [`${d.watchDir}/%%`] },
  });
  const startedAt = Date.now() / 1000;
  await d.start();

  assert.match(d.stderr, new RegExp(`Pack missing skipped: ${join(d.dir, 'no-such-pack.conf')}: pack file does not exist: .*; the rest of the config applies`));
  assert.match(d.stderr, new RegExp(`Pack broken skipped: ${bad}:1:\\d+: Error parsing the config JSON`));
  assert.doesNotMatch(d.stderr, /check --config_path/);
  assert.doesNotMatch(d.stderr, /Config could not be loaded/);

  const schedule = await d.query('SELECT name FROM osquery_schedule ORDER BY name');
  assert.equal(schedule.status, 200);
  assert.deepEqual(schedule.json.rows.map((r: { name: string }) => r.name), ['own', 'pack_good_procs']);
  const packs = await d.query('SELECT name FROM osquery_packs');
  assert.deepEqual(packs.json.rows.map((r: { name: string }) => r.name), ['good']);
  await waitFor('both scheduled queries ran', () => {
    const names = new Set(d.resultLines().map((line) => line.name));
    return names.has('own') && names.has('pack_good_procs');
  }, 10_000);

  const file = join(d.watchDir, 'after-partial-config.txt');
  writeFileSync(file, 'x');
  await waitFor('the file event', async () => {
    const rows = await d.query(`SELECT target_path FROM file_events WHERE target_path = '${file}'`, { peek: true });
    return rows.json.rows.length > 0;
  }, 10_000);

  const metrics = (await d.request('GET', '/metrics')).text;
  assert.equal(metric(metrics, 'quarry_config_valid'), 1);
  assert.equal(metric(metrics, 'quarry_config_packs_skipped'), 2);
  const loadedAt = metric(metrics, 'quarry_config_last_load_success_timestamp_seconds');
  assert.ok(loadedAt >= startedAt - 1 && loadedAt <= Date.now() / 1000, `loaded at ${loadedAt}`);

  // The main config itself broken: not applied, valid 0, the time of the last good load stays.
  writeFileSync(d.configPath, '{"schedule": ');
  d.child!.kill('SIGHUP');
  await waitFor('the reload error', () => /Config could not be loaded: .*quarry\.conf/.test(d.stderr), 10_000);
  const afterBreak = (await d.request('GET', '/metrics')).text;
  assert.equal(metric(afterBreak, 'quarry_config_valid'), 0);
  assert.equal(metric(afterBreak, 'quarry_config_last_load_success_timestamp_seconds'), loadedAt);
  const still = await d.query('SELECT name FROM osquery_schedule ORDER BY name');
  assert.deepEqual(still.json.rows.map((r: { name: string }) => r.name), ['own', 'pack_good_procs'], 'the last good config keeps running');
});

test('metric names have one prefix: Node process metrics are quarry_process_* / quarry_nodejs_*, never doubled', async () => {
  const d = new QuarrydProcess();
  daemons.push(d);
  d.writeConfig({});
  await d.start();
  const text = (await d.request('GET', '/metrics')).text;
  assert.match(text, /^quarry_process_cpu_user_seconds_total \S+$/m);
  assert.match(text, /^quarry_process_resident_memory_bytes \S+$/m);
  assert.match(text, /^quarry_nodejs_heap_size_used_bytes \S+$/m);
  const names = new Set([...text.matchAll(/^([a-z_:][a-z0-9_:]*)(?:\{| )/gm)].map((m) => m[1]!));
  for (const name of names) {
    assert.match(name, /^quarry_/, `${name} has the quarry_ prefix`);
    assert.doesNotMatch(name, /^quarryd_|process_process_/, name);
  }
});
