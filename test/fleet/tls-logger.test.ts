/**
 * The tls logger plugin of a real quarryd: lines wait in the LMDB outbox while the server is down, across a kill -9
 * and a restart, and arrive exactly once; --buffered_log_max drops the oldest, counted in /metrics;
 * --logger_tls_max_linesize, --logger_tls_compress and --logger_tls_max_lines shape what is sent.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, type QuarrydProcess } from '../daemon/quarryd-process.js';
import { PATHS, type FleetServer } from './fleet-server.js';
import { FleetLab, killNine } from './fleet-harness.js';

const lab = new FleetLab();
after(() => lab.close());

const RANDOM = { schedule: { rnd: { query: 'select abs(random()) as r', interval: 1, snapshot: true } } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function metric(d: QuarrydProcess, name: string): Promise<number> {
  const text = (await d.request('GET', '/metrics')).text;
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  assert.ok(match, `${name} in /metrics`);
  return Number(match[1]);
}

function serverValues(s: FleetServer): string[] {
  return s.logs.filter((l) => l.log_type === 'result' && l.line.name === 'rnd').map((l) => String(l.line.snapshot[0].r));
}
function fileValues(d: QuarrydProcess): string[] {
  return d.snapshotLines().filter((l) => l.name === 'rnd').map((l) => String(l.snapshot[0].r));
}

test('server down, quarryd killed -9 and restarted meanwhile: every line arrives exactly once, gzip-compressed', async () => {
  const { s, d } = await lab.started(['--logger_plugin=filesystem,tls', '--logger_tls_compress=true', '--logger_tls_max_lines=3'], RANDOM);
  await waitFor('lines at the server', () => serverValues(s).length >= 3, 15_000);
  assert.equal(s.requestsTo(PATHS.log).at(-1)!.headers['content-encoding'], 'gzip');
  assert.ok(s.requestsTo(PATHS.log).every((r) => r.body.data.length <= 3), '--logger_tls_max_lines caps each request');

  await s.stop();
  await sleep(4000);
  await killNine(d);
  await sleep(3000);
  await waitFor('the outage warning', () => /tls logger: sending to \/api\/osquery\/log failed: .*connection refused.*wait in the outbox/.test(d.stderr), 10_000);
  await s.restart();
  await d.stop(); // SIGTERM: what was not sent yet stays in the outbox
  // an empty schedule: this start only delivers what waits in the outbox
  d.writeConfig({ schedule: {} });
  await d.start();
  const expected = fileValues(d);
  assert.ok(expected.length >= 5, `lines were logged (${expected.length})`);
  await waitFor('every line at the server', () => serverValues(s).length >= expected.length, 20_000);
  await sleep(1500);
  const delivered = serverValues(s);
  assert.equal(new Set(delivered).size, delivered.length, 'no line arrived twice');
  assert.deepEqual([...delivered].sort(), [...expected].sort(), 'every line the filesystem logger wrote arrived, none lost');
  assert.equal((await d.stop()).code, 0);
});

test('--buffered_log_max drops the oldest lines while the server is down, counted in /metrics and osquery_events', async () => {
  const { s, d } = await lab.started(['--logger_plugin=filesystem,tls', '--buffered_log_max=4', '--tls_disable_status_log=true'], RANDOM);
  await waitFor('lines at the server', () => serverValues(s).length >= 1, 15_000);
  await s.stop();
  const before = fileValues(d).length;
  await waitFor('8 lines logged during the outage', () => fileValues(d).length >= before + 8, 20_000);
  const during = await metric(d, 'quarry_tls_logger_buffered_lines');
  assert.ok(during <= 4, `at most --buffered_log_max lines wait (${during})`);
  const droppedDuring = await metric(d, 'quarry_tls_logger_dropped_lines_total');
  assert.ok(droppedDuring >= 3, `the oldest were dropped unsent and counted (${droppedDuring})`);
  const events = await d.query("select type, active, status from osquery_events where name = 'tls_logger'");
  assert.equal(events.status, 200, events.text);
  assert.equal(Number(events.json.rows[0].active), 0, 'sending fails while the server is down');
  assert.match(events.json.rows[0].status, /outbox: [0-4] line\(s\) waiting, \d+ dropped by --buffered_log_max/);
  await s.restart();
  await d.stop();
  d.writeConfig({ schedule: {} });
  await d.start();
  const logged = fileValues(d);
  await sleep(3000);
  const delivered = serverValues(s);
  assert.ok(s.logs.every((l) => l.log_type === 'result'), '--tls_disable_status_log sends no status lines');
  assert.equal(new Set(delivered).size, delivered.length);
  const missing = logged.filter((v) => !delivered.includes(v));
  const finalDropped = await metric(d, 'quarry_tls_logger_dropped_lines_total');
  assert.equal(missing.length, finalDropped, 'exactly the lines dropped unsent are missing (the count survives restarts)');
  // the missing lines are the oldest of the outage: every line logged after the last missing one arrived
  const lastMissing = logged.lastIndexOf(missing.at(-1)!);
  assert.ok(logged.slice(lastMissing + 1).every((v) => delivered.includes(v)));
  assert.equal((await d.stop()).code, 0);
});

test('a line longer than --logger_tls_max_linesize is not sent and is said; shorter lines still go', async () => {
  const s = await lab.server();
  const config = { schedule: { big: { query: "select printf('%.2000c', 'x') as blob", interval: 1, snapshot: true }, rnd: RANDOM.schedule.rnd } };
  const d = lab.quarryd(s, ['--logger_plugin=tls', '--logger_tls_max_linesize=1000'], config);
  await d.start();
  await waitFor('small lines', () => serverValues(s).length >= 2, 15_000);
  assert.match(d.stderr, /tls logger: a \d+-byte result line is longer than --logger_tls_max_linesize \(1000\); it is not sent/);
  assert.ok(!s.logs.some((l) => l.line.name === 'big'));
  assert.equal((await d.stop()).code, 0);
});
