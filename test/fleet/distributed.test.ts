/**
 * Distributed queries of a real quarryd through the test fleet server: rows and statuses written back, SQL errors
 * and writes reported with their SQLite code and message, discovery queries honoured, a query that times out a worker
 * denylisted, garbage read answers survived.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../daemon/quarryd-process.js';
import { PATHS } from './fleet-server.js';
import { FleetLab, killNine } from './fleet-harness.js';

const lab = new FleetLab();
after(() => lab.close());

const FOREVER = 'with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c';

test('distributed queries: rows, SQLite statuses with messages, discovery, denylisting a query that times out', async () => {
  const { s, d } = await lab.started(['--disable_distributed=false', '--distributed_interval=1', '--distributed_loginfo=true', '--query_timeout=2', '--distributed_denylist_duration=600']);
  s.queries = {
    ok: 'select 1 as one, \'two\' as two',
    missing: 'select * from no_such_table',
    write: 'create table t (a)',
    found: 'select 3 as three',
    skipped: 'select 4 as four',
  };
  s.discovery = { found: 'select 1', skipped: 'select 1 where 0' };
  await waitFor('results', () => s.results.has('ok') && s.results.has('missing') && s.results.has('write') && s.results.has('found'), 15_000);
  assert.deepEqual(s.results.get('ok'), { rows: [{ one: '1', two: 'two' }], status: 0, message: undefined, at: s.results.get('ok')!.at });
  const missing = s.results.get('missing')!;
  assert.ok(missing.status > 0);
  assert.match(missing.message!, /no such table: no_such_table/);
  const write = s.results.get('write')!;
  assert.ok(write.status > 0, 'a writing statement is refused');
  assert.match(write.message!, /./);
  assert.deepEqual(s.results.get('found')!.rows, [{ three: '3' }]);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(s.results.has('skipped'), false, 'a query whose discovery query returns no rows is not run');
  assert.match(d.stderr, /Executing distributed query: ok: select 1 as one/);

  s.queries = { forever: FOREVER };
  await waitFor('the timed-out query', () => s.results.has('forever'), 20_000);
  assert.ok(s.results.get('forever')!.status > 0);
  assert.match(d.stderr, /distributed: query forever denylisted for 600 s because it stopped a query worker \(timeout/);
  s.queries = { again: FOREVER };
  await waitFor('the denylisted answer', () => s.results.has('again'), 10_000);
  const again = s.results.get('again')!;
  assert.equal(again.status, 1);
  assert.match(again.message!, /denylisted until/);

  // garbage from the read endpoint: said once, quarryd keeps polling, and answers again when the server does
  s.misbehave.set(PATHS.read, 'invalid-json');
  await waitFor('the invalid JSON warning', () => /distributed: .*distributed\/read: the answer is not JSON/.test(d.stderr), 15_000);
  s.misbehave.delete(PATHS.read);
  s.queries = { back: 'select 5 as five' };
  await waitFor('a result after the garbage', () => s.results.has('back'), 15_000);
  assert.equal((await d.stop()).code, 0);
});

test('accelerate: an answer with accelerate makes quarryd poll every 5 s instead of --distributed_interval', async () => {
  const s = await lab.server();
  s.accelerate = 60;
  const d = lab.quarryd(s, ['--disable_distributed=false', '--distributed_interval=3600']);
  await d.start();
  await waitFor('the first read', () => s.requestsTo(PATHS.read).length >= 1, 15_000);
  s.queries = { soon: 'select 6 as six' };
  const asked = Date.now();
  await waitFor('the result within the accelerated interval', () => s.results.has('soon'), 12_000);
  assert.ok(Date.now() - asked < 12_000);
  assert.deepEqual(s.results.get('soon')!.rows, [{ six: '6' }]);
  assert.equal((await d.stop()).code, 0);
});

test('a distributed query running when the agent is killed -9 is denylisted when it comes back, and answered so', async () => {
  const { s, d } = await lab.started(['--disable_distributed=false', '--distributed_interval=1', '--query_timeout=120', '--distributed_loginfo=true']);
  s.queries = { stuck: FOREVER };
  await waitFor('the query to start', () => /Executing distributed query: stuck/.test(d.stderr), 15_000);
  await killNine(d);
  await waitFor('the denylisting', () => /distributed: query denylisted for 86400 s because it was running when quarryd stopped unexpectedly/.test(d.stderr), 15_000);
  s.queries = { retry: FOREVER };
  await waitFor('the denylisted answer', () => s.results.has('retry'), 15_000);
  assert.equal(s.results.get('retry')!.status, 1);
  assert.match(s.results.get('retry')!.message!, /denylisted until/);
  assert.equal(s.results.has('stuck'), false, 'the killed run wrote nothing');
  assert.equal((await d.stop()).code, 0);
});

test('--distributed_tls_max_attempts bounds the tries of one read; a 500 is logged and the next read waits for the interval', async () => {
  const s = await lab.server();
  s.misbehave.set(PATHS.read, '500');
  const d = lab.quarryd(s, ['--disable_distributed=false', '--distributed_interval=3600', '--distributed_tls_max_attempts=3']);
  await d.start();
  await waitFor('the failed read', () => /distributed: .*distributed\/read: HTTP 500/.test(d.stderr), 20_000);
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(s.requestsTo(PATHS.read).length, 3);
  assert.equal((await d.stop()).code, 0);
});
