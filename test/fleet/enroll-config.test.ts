/**
 * A real quarryd enrolling with the test fleet server and taking its config from it (--config_plugin=tls):
 * host_details, the node_key kept across restarts, re-enrollment on node_invalid, a bad config keeping the last good
 * one, and the enrollment flags (secret from the environment, --tls_enroll_override, --tls_secret_always,
 * --host_identifier=specified, --disable_enrollment).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, type QuarrydProcess } from '../daemon/quarryd-process.js';
import { PATHS, type FleetServer } from './fleet-server.js';
import { FleetLab, SECRET, testPki } from './fleet-harness.js';
import { ConnectProxy } from './connect-proxy.js';

const lab = new FleetLab();
after(() => lab.close());
const server = (options: Parameters<FleetLab['server']>[0] = {}) => lab.server(options);
const quarryd = (s: FleetServer, extra: string[]) => lab.quarryd(s, extra);

const UPTIME = { uptime_q: { query: 'select total_seconds from uptime', interval: 1, snapshot: true } };

async function scheduleNames(d: QuarrydProcess): Promise<string[]> {
  const answer = await d.query('select name from osquery_schedule order by name');
  assert.equal(answer.status, 200, answer.text);
  return answer.json.rows.map((r: any) => r.name);
}

test('enrolls with the secret and host_details, applies the tls config, keeps the node_key across a restart and re-enrolls on node_invalid', async () => {
  const s = await server();
  s.config = { schedule: UPTIME };
  const d = quarryd(s, ['--config_plugin=tls', '--config_refresh=1', '--logger_plugin=tls', '--host_identifier=uuid']);
  await d.start();
  await waitFor('enrollment', () => s.enrollments.length === 1, 10_000);
  const enrollment = s.enrollments[0];
  assert.equal(enrollment.enroll_secret, SECRET, 'the secret file, trimmed');
  assert.match(enrollment.host_identifier, /^[0-9A-Fa-f-]{36}$/, '--host_identifier=uuid sends the host UUID');
  for (const table of ['os_version', 'osquery_info', 'system_info', 'platform_info']) assert.ok(table in enrollment.host_details, table);
  assert.equal(typeof enrollment.host_details.os_version.name, 'string');
  assert.equal(enrollment.host_details.osquery_info.uuid, enrollment.host_identifier);
  assert.equal(typeof enrollment.host_details.system_info.hostname, 'string');

  await waitFor('the schedule from the TLS server', async () => (await scheduleNames(d)).includes('uptime_q'), 10_000);
  const line = await waitFor('a result line at the server', () => s.logs.find((l) => l.log_type === 'result' && l.line.name === 'uptime_q'), 10_000);
  assert.ok(Array.isArray(line.line.snapshot) && line.line.snapshot[0].total_seconds !== undefined);
  assert.equal(line.line.hostIdentifier, enrollment.host_identifier);
  await waitFor('a status line at the server', () => s.logs.find((l) => l.log_type === 'status' && /Config applied from the TLS server/.test(l.line.message)), 10_000);
  assert.equal(statSync(join(d.dir, 'db', 'quarry.db', 'data.mdb')).mode & 0o777, 0o600, 'the node_key lives in the 0600 database');

  // restart: the stored node_key is reused, no second enrollment
  assert.equal((await d.stop()).code, 0);
  const before = s.logs.length;
  await d.start();
  await waitFor('lines after the restart', () => s.logs.length > before + 2, 10_000);
  assert.equal(s.enrollments.length, 1, 'no enrollment after a restart');

  // the server forgets every node: the next request answers node_invalid and quarryd enrolls again
  s.invalidateNodeKeys();
  await waitFor('re-enrollment', () => s.enrollments.length === 2, 10_000);
  const after = s.logs.length;
  await waitFor('lines with the new node_key', () => s.logs.length > after, 10_000);
  assert.match(d.stderr, /the server says the node_key is invalid; enrolling again/);
  assert.equal((await d.stop()).code, 0);
});

test('a config with wrong types, HTML or a 500 keeps the last good config and logs why; a good one is applied at the next refresh', async () => {
  const s = await server();
  s.config = { schedule: UPTIME };
  const d = quarryd(s, ['--config_plugin=tls', '--config_refresh=1', '--config_accelerated_refresh=1', '--logger_plugin=filesystem']);
  await d.start();
  await waitFor('the first config', async () => (await scheduleNames(d)).includes('uptime_q'), 10_000);

  s.config = { schedule: { broken: { query: 42, interval: 'often' } } };
  await waitFor('the wrong-types error', () => /The config from the TLS server was not applied: .*broken.*keeping the last good config/.test(d.stderr), 10_000);
  assert.deepEqual(await scheduleNames(d), ['uptime_q']);

  s.misbehave.set(PATHS.config, 'html');
  await waitFor('the HTML error', () => /tls config: fetching \/api\/osquery\/config failed: .*not JSON.*keeping the last good config/.test(d.stderr), 15_000);
  s.misbehave.set(PATHS.config, '500');
  await waitFor('the 500 error', () => /tls config: fetching .* failed: .*HTTP 500/.test(d.stderr), 15_000);
  assert.deepEqual(await scheduleNames(d), ['uptime_q']);

  s.misbehave.delete(PATHS.config);
  s.config = { schedule: { ...UPTIME, second_q: { query: 'select 1 as one', interval: 60 } }, options: { schedule_splay_percent: 5 } };
  await waitFor('the new config', async () => (await scheduleNames(d)).includes('second_q'), 15_000);
  const flag = await d.query("select value from osquery_flags where name = 'schedule_splay_percent'");
  assert.equal(flag.json.rows[0].value, '5', `the options of a tls config set flags as a file config does${d.stderr.split('\n').filter((l) => /splay|option/.test(l)).join('\n')}`);
  assert.equal((await d.stop()).code, 0);
});

test('enrollment flags: --enroll_secret_env, --tls_enroll_override, --tls_secret_always, --host_identifier=specified; a wrong secret is retried and said', async () => {
  const s = await server({ secretField: 'shared_secret' });
  process.env.QUARRY_TEST_SECRET = SECRET;
  const d = quarryd(s, [
    '--config_plugin=tls',
    '--enroll_secret_path=',
    '--enroll_secret_env=QUARRY_TEST_SECRET',
    '--tls_enroll_override=shared_secret',
    '--tls_secret_always=true',
    '--host_identifier=specified',
    '--specified_identifier=node-42',
  ]);
  await d.start();
  await waitFor('enrollment', () => s.enrollments.length === 1 && s.requestsTo(PATHS.config).length > 0, 10_000);
  assert.equal(s.enrollments[0].shared_secret, SECRET);
  assert.equal(s.enrollments[0].host_identifier, 'node-42');
  const config = s.requestsTo(PATHS.config).at(-1)!;
  assert.equal(config.query.get('shared_secret'), SECRET, '--tls_secret_always adds the secret as a URI variable');
  assert.equal((await d.stop()).code, 0);
  delete process.env.QUARRY_TEST_SECRET;

  const wrong = await server({ enrollSecret: 'another-secret' });
  const w = quarryd(wrong, ['--config_plugin=tls', '--tls_enroll_max_attempts=2']);
  await w.start();
  await waitFor('two refused enrollments', () => /Enrollment attempt 2 of 2 failed: the server refused the enrollment: invalid enroll secret/.test(w.stderr), 10_000);
  assert.equal(wrong.enrollments.length, 2);
  const alive = await w.query('select 1 as one');
  assert.equal(alive.status, 200, 'quarryd keeps running');
  assert.equal((await w.stop()).code, 0);

  const none = await server();
  const n = quarryd(none, ['--config_plugin=tls', '--disable_enrollment=true']);
  await n.start();
  await waitFor('the disable_enrollment error', () => /no valid node_key and --disable_enrollment is set/.test(n.stderr), 10_000);
  assert.equal(none.enrollments.length, 0);
  assert.equal((await n.stop()).code, 0);
});

test('a server with a certificate from another CA: quarryd starts, says which flag to fix, and sends nothing', async () => {
  const stranger = await server({ tls: testPki().untrusted });
  const d = quarryd(stranger, ['--config_plugin=tls', '--tls_enroll_max_attempts=1']);
  await d.start();
  await waitFor('the untrusted error', () => /not signed by a CA in --tls_server_certs/.test(d.stderr), 10_000);
  assert.equal(stranger.requests.length, 0);
  assert.equal((await d.stop()).code, 0);
});

test('--enroll_always enrolls again at each start; --tls_dump logs each request and answer', async () => {
  const s = await server();
  const d = quarryd(s, ['--config_plugin=tls', '--enroll_always=true', '--tls_dump=true']);
  await d.start();
  await waitFor('enrollment and config', () => s.enrollments.length === 1 && s.requestsTo(PATHS.config).length > 0, 10_000);
  assert.match(d.stderr, /TLS request POST https:\/\/127\.0\.0\.1:\d+\/api\/osquery\/enroll: \{"enroll_secret":/);
  assert.match(d.stderr, /TLS answer from https:\/\/127\.0\.0\.1:\d+\/api\/osquery\/config: HTTP 200: /);
  assert.equal((await d.stop()).code, 0);
  await d.start();
  await waitFor('a second enrollment', () => s.enrollments.length === 2, 10_000);
  assert.equal((await d.stop()).code, 0);
});

test('a TLS remote setting that cannot work stops quarryd at start, naming the flag', async () => {
  const s = await server();
  const noHost = quarryd(s, ['--config_plugin=tls', '--tls_hostname=']);
  await assert.rejects(noHost.start(), /--tls_hostname is empty: set it to the TLS server/);
  const halfMutual = quarryd(s, ['--logger_plugin=tls', `--tls_client_cert=${testPki().client.cert}`]);
  await assert.rejects(halfMutual.start(), /--tls_client_cert and --tls_client_key go together/);
});

test('--config_tls_max_attempts bounds the tries of one fetch; the next comes after --config_accelerated_refresh', async () => {
  const s = await server();
  s.misbehave.set(PATHS.config, '500');
  const d = quarryd(s, ['--config_plugin=tls', '--config_tls_max_attempts=2', '--config_accelerated_refresh=3600']);
  await d.start();
  await waitFor('the failed fetch', () => /tls config: fetching \/api\/osquery\/config failed: .*HTTP 500/.test(d.stderr), 15_000);
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(s.requestsTo(PATHS.config).length, 2, 'two attempts, then nothing until the accelerated refresh');
  assert.equal((await d.stop()).code, 0);
});

test('--proxy_hostname: quarryd enrolls and fetches its config through an HTTP CONNECT proxy', async () => {
  const s = await server();
  s.config = { schedule: UPTIME };
  const proxy = await new ConnectProxy().start();
  try {
    const d = quarryd(s, ['--config_plugin=tls', `--proxy_hostname=127.0.0.1:${proxy.port}`]);
    await d.start();
    await waitFor('the schedule through the proxy', async () => (await scheduleNames(d)).includes('uptime_q'), 15_000);
    assert.ok(proxy.targets.length >= 1 && proxy.targets.every((t) => t === s.hostname), 'every connection went through the proxy');
    assert.equal((await d.stop()).code, 0);
  } finally {
    await proxy.close();
  }
});
