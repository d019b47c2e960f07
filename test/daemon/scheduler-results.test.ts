import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { QuarrydProcess, waitFor } from './quarryd-process.js';

const daemons: QuarrydProcess[] = [];
after(() => daemons.forEach((d) => d.cleanup()));

function daemonWith(schedule: object, extra: object = {}, flags: string[] = []): QuarrydProcess {
  const d = new QuarrydProcess({ flags });
  d.writeConfig({ schedule, file_paths: { watched: [`${d.watchDir}/%%`] }, ...extra });
  daemons.push(d);
  return d;
}

const EVENT_KEYS = ['name', 'hostIdentifier', 'calendarTime', 'unixTime', 'epoch', 'counter', 'numerics', 'columns', 'action'];

test('lifecycle: pidfile, private files, SIGTERM exits 0 quickly and removes the pidfile', async () => {
  const d = daemonWith({});
  await d.start();
  assert.equal(readFileSync(d.pidfile, 'utf8').trim(), String(d.child!.pid));
  assert.equal(statSync(d.tokenFile).mode & 0o777, 0o600);
  assert.match(readFileSync(d.tokenFile, 'utf8').trim(), /^[0-9a-f]{64}$/);
  assert.equal(statSync(join(d.dir, 'db')).mode & 0o777, 0o700);
  assert.equal(statSync(join(d.dir, 'db', 'quarry.db')).mode & 0o777, 0o700);
  assert.equal(statSync(join(d.dir, 'db', 'quarry.db', 'data.mdb')).mode & 0o777, 0o600);
  assert.equal(statSync(d.resultsLog).mode & 0o777, 0o600, 'results log created at start, 0600 unless --logger_mode');
  assert.match(d.stderr, /curl -s -H "Authorization: Bearer \$\(cat .*http\.token\)"/);
  // a second daemon on the same pidfile refuses to start
  const second = new QuarrydProcess({ dir: d.dir });
  daemons.push(second);
  await assert.rejects(second.start(), /already running/);
  const { code, ms } = await d.stop();
  assert.equal(code, 0);
  assert.ok(ms < 5000, `stopped in ${ms} ms`);
  assert.equal(existsSync(d.pidfile), false);
});

test('--force stops the quarryd named in the pidfile and starts in its place; a pid reused by another program is stale', async () => {
  const first = daemonWith({});
  await first.start();
  const second = new QuarrydProcess({ dir: first.dir });
  daemons.push(second);
  await second.start(['--force']);
  assert.match(second.stderr, new RegExp(`--force: stopping the quarryd \\(${first.child!.pid}\\) named in `));
  await waitFor('the first quarryd to exit', () => first.exitCode !== undefined);
  assert.equal(first.exitCode, 0, 'the forced-out quarryd stopped cleanly on SIGTERM');
  assert.equal(readFileSync(second.pidfile, 'utf8').trim(), String(second.child!.pid));
  assert.equal((await second.stop()).code, 0);
  // A live pid that is not quarryd (pid reuse after a crash) does not block the start, with or without --force.
  const other = spawn('sleep', ['30']);
  try {
    writeFileSync(second.pidfile, `${other.pid}\n`);
    const third = new QuarrydProcess({ dir: first.dir });
    daemons.push(third);
    await third.start();
    assert.equal(other.exitCode, null, 'the unrelated process was left alone');
    assert.equal((await third.stop()).code, 0);
  } finally {
    other.kill();
  }
});

test('a tick that overruns puts the scheduler behind; drift past --schedule_max_drift is dropped and logged', async () => {
  const d = daemonWith({ slow: { query: 'SELECT sleep(2) AS slept', interval: 1 } }, {}, ['--schedule_max_drift=1']);
  await d.start();
  const line = await waitFor("the drift line", () => /Scheduler drift of (\d+) ms exceeds --schedule_max_drift=1s: dropped/.exec(d.stderr) ?? undefined, 10_000);
  assert.ok(Number(line[1]) > 1000, line[0]);
  assert.equal((await d.stop()).code, 0);
});

test('a file change appears in osqueryd.results.log in osquery event format; snapshot lines; osquery_schedule stats', async () => {
  const d = daemonWith({
    file_changes: { query: 'SELECT target_path, action FROM file_events', interval: 1 },
    up: { query: 'SELECT total_seconds FROM uptime', interval: 1, snapshot: true },
  }, { decorators: { load: ["SELECT 'unit' AS suite"] } });
  await d.start();
  await new Promise((r) => setTimeout(r, 300));
  const path = join(d.watchDir, 'created.txt');
  const wrote = Date.now();
  writeFileSync(path, 'hello');
  const line = await waitFor('file event result line', () => d.resultLines().find((l) => l.name === 'file_changes' && l.columns.target_path === path), 4000);
  const elapsed = Date.now() - wrote;
  assert.deepEqual(Object.keys(line), [...EVENT_KEYS.slice(0, 7), 'decorations', 'columns', 'action']);
  assert.equal(line.action, 'added');
  assert.equal(line.columns.action, 'CREATED');
  assert.deepEqual(line.decorations, { suite: 'unit' });
  assert.equal(typeof line.unixTime, 'number');
  assert.equal(line.numerics, false);
  assert.match(line.calendarTime, /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} UTC$/);
  assert.ok(elapsed < 2500, `result within ${elapsed} ms (interval 1 s)`);
  const snap = await waitFor('snapshot', () => d.snapshotLines().find((l) => l.name === 'up'));
  assert.deepEqual(Object.keys(snap), ['snapshot', 'action', 'name', 'hostIdentifier', 'calendarTime', 'unixTime', 'epoch', 'counter', 'numerics', 'decorations']);
  assert.equal(typeof snap.snapshot[0].total_seconds, 'string');
  const stats = await d.query("SELECT name, interval, executions, last_executed, denylisted, wall_time_ms, output_size FROM osquery_schedule WHERE name = 'up'");
  assert.equal(stats.status, 200);
  assert.equal(stats.json.rows[0].interval, 1);
  assert.ok(stats.json.rows[0].executions >= 1);
  assert.ok(stats.json.rows[0].output_size > 0);
  assert.equal(stats.json.rows[0].denylisted, 0);
  assert.equal((await d.stop()).code, 0);
});

test('differential results: added, then removed, kept across a restart (no re-add, counter continues)', async () => {
  const d = daemonWith({}, {}, []);
  const dir = join(d.dir, 'listing');
  rmSync(dir, { recursive: true, force: true });
  writeFileSync(join(d.dir, 'placeholder'), '');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir);
  writeFileSync(join(dir, 'one'), '1');
  d.writeConfig({ schedule: { listing: { query: `SELECT path FROM file WHERE directory = '${dir}'`, interval: 1 } } });
  await d.start();
  const first = await waitFor("first run", () => { const l = d.resultLines().filter((x) => x.name === "listing"); return l.length > 0 && l; });
  assert.equal(first.length, 1);
  assert.equal(first[0].counter, 0);
  assert.equal(first[0].action, 'added');
  writeFileSync(join(dir, 'two'), '2');
  const second = await waitFor('added line', () => d.resultLines().find((l) => l.name === 'listing' && l.columns.path === join(dir, 'two')));
  assert.equal(second.counter, 1);
  await d.stop();
  rmSync(join(dir, 'one'));
  await d.start();
  const removed = await waitFor('removed line after restart', () => d.resultLines().find((l) => l.name === 'listing' && l.action === 'removed'));
  assert.equal(removed.columns.path, join(dir, 'one'));
  assert.equal(removed.counter, 2);
  const adds = d.resultLines().filter((l) => l.name === 'listing' && l.action === 'added');
  assert.equal(adds.length, 2, 'unchanged rows are not re-added after the restart');
  await d.stop();
});

test('SIGHUP reloads the config: new file_paths are watched without restart', async () => {
  const d = daemonWith({ changes: { query: 'SELECT target_path FROM file_events', interval: 1 } });
  const { mkdirSync } = await import('node:fs');
  const other = join(d.dir, 'other');
  mkdirSync(other);
  await d.start();
  d.writeConfig({ schedule: { changes: { query: 'SELECT target_path FROM file_events', interval: 1 } }, file_paths: { other: [`${other}/%%`] } });
  d.child!.kill('SIGHUP');
  await waitFor('reload logged', () => /reloading the config/.test(d.stderr));
  await new Promise((r) => setTimeout(r, 500));
  writeFileSync(join(other, 'new.txt'), 'x');
  await waitFor('event from the new path', () => d.resultLines().find((l) => l.columns?.target_path === join(other, 'new.txt')), 4000);
  await d.stop();
});

test('watchdog: a query past its deadline is stopped and denylisted; the daemon keeps running', async () => {
  const d = daemonWith({
    forever: { query: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c', interval: 1 },
  }, {}, ['--query_timeout=1']);
  await d.start();
  const row = await waitFor('denylisted', async () => {
    const r = await d.query("SELECT denylisted FROM osquery_schedule WHERE name = 'forever'");
    return r.json.rows[0]?.denylisted === 1 ? r.json.rows[0] : undefined;
  }, 8000);
  assert.equal(row.denylisted, 1);
  assert.match(d.stderr, /Error executing scheduled query forever/);
  assert.equal((await d.query('SELECT 1 AS one')).json.rows[0].one, 1);
  await d.stop();
  // osquery's failed_queries persist across restarts
  await d.start();
  await waitFor('denied warning', () => /skipping denied scheduled query: forever/.test(d.stderr), 4000);
  await d.stop();
});

test('shutdown with --query_timeout=0 does not wait for an endless scheduled query: workers are stopped, exit 0', async () => {
  const d = daemonWith({
    endless: { query: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c', interval: 1 },
  }, {}, ['--query_timeout=0', '--schedule_lognames=true']);
  await d.start();
  await waitFor('the endless query runs', () => /Executing scheduled query endless/.test(d.stderr), 6000);
  await new Promise((r) => setTimeout(r, 500));
  const stopped = await d.stop();
  assert.equal(stopped.code, 0, d.stderr);
  assert.ok(stopped.ms < 8000, `stopped after ${stopped.ms} ms (the alarm would exit 1 after 10 s)`);
  assert.match(d.stderr, /still running .* after shutdown began/);
});

test('watchdog: a query over --watchdog_memory_limit stops its worker (respawned); HTTP 503, scheduled query denylisted', async () => {
  // Numbers only: the result-size cap counts TEXT/BLOB bytes (test/http/memory-limit.test.ts), so this result passes it
  // and the rows' JS objects outgrow the worker's heap instead.
  const hog = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 900000) SELECT x, x * 1.5 AS y, x * 2.5 AS z, x * 3.5 AS w FROM c';
  const d = daemonWith({ hog: { query: hog, interval: 1 } }, {}, ['--watchdog_memory_limit=40']);
  await d.start();
  const viaHttp = await d.query(hog);
  assert.equal(viaHttp.status, 503);
  assert.match(viaHttp.json.error, /Memory limits exceeded/);
  const three = await d.query('SELECT 3 AS three');
  assert.equal(three.json.rows?.[0]?.three, 3, `a fresh worker answers: ${three.status} ${three.text}`);
  await waitFor('hog denylisted', async () => {
    const r = await d.query("SELECT denylisted FROM osquery_schedule WHERE name = 'hog'");
    return r.json.rows[0]?.denylisted === 1;
  }, 8000);
  assert.match(d.stderr, /quarryd query worker stopping: Memory limits exceeded/);
  await d.stop();
});
