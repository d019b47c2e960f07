import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request as httpRequest } from 'node:http';
import { QuarrydProcess, waitFor } from '../daemon/quarryd-process.js';

let d: QuarrydProcess;
before(async () => {
  d = new QuarrydProcess({ flags: ['--query_timeout=1', '--http_body_limit=4096'] });
  d.writeConfig({ file_paths: { watched: [`${d.watchDir}/%%`] } });
  // the pidfile's directory exists already (like /run): quarryd must not re-mode it
  chmodSync(d.dir, 0o755);
  await d.start();
});
after(async () => {
  await d.stop();
  d.cleanup();
});

test('POST /v1/query answers columns with types and rows', async () => {
  const r = await d.query('SELECT total_seconds, 1.5 AS x FROM uptime');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.columns.map((c: { name: string }) => c.name), ['total_seconds', 'x']);
  assert.equal(r.json.columns[0].type, 'BIGINT');
  assert.equal(typeof r.json.rows[0].total_seconds, 'number');
});

test('/healthz needs no token; everything else answers 401 without or with a wrong token', async () => {
  assert.equal((await d.request('GET', '/healthz', { token: null })).status, 200);
  const none = await d.request('POST', '/v1/query', { token: null, body: { sql: 'select 1' } });
  assert.equal(none.status, 401);
  assert.match(none.json.error, /bearer token/);
  assert.equal((await d.request('GET', '/v1/tables', { token: 'f'.repeat(64) })).status, 401);
  assert.equal((await d.request('GET', '/metrics', { token: d.token.slice(0, -1) })).status, 401);
});

test('on one keep-alive connection a wrong or missing token is refused after a right one', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<unknown>();
  const get = (authorization: string | undefined) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${d.url}/v1/tables`, { agent, headers: authorization === undefined ? {} : { authorization } }, (res) => {
        sockets.add(res.socket);
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  try {
    assert.equal(await get(`Bearer ${d.token}`), 200);
    assert.equal(await get(`Bearer ${'0'.repeat(d.token.length)}`), 401);
    assert.equal(await get(undefined), 401);
    assert.equal(await get(`Bearer ${d.token.slice(0, -1)}`), 401);
    assert.equal(await get(`bearer   ${d.token}`), 200);
    assert.equal(await get(`Bearer ${d.token}`), 200);
    assert.equal(sockets.size, 1, 'every request went over the same connection');
  } finally {
    agent.destroy();
  }
});

test('bad requests: invalid JSON, missing sql, a write, an unknown table, an oversized body, a deadline', async () => {
  const invalid = await d.request('POST', '/v1/query', { body: '{"sql": ' });
  assert.equal(invalid.status, 400);
  assert.ok(invalid.json.error);
  const missing = await d.request('POST', '/v1/query', { body: { query: 'select 1' } });
  assert.equal(missing.status, 400);
  assert.match(missing.json.error, /"sql"/);
  const write = await d.query("CREATE TABLE t(x)");
  assert.equal(write.status, 400);
  assert.match(write.json.error, /read-only|not authorized/);
  const unknown = await d.query('SELECT * FROM no_such_table');
  assert.equal(unknown.status, 400);
  assert.match(unknown.json.error, /no such table: no_such_table/);
  assert.equal((await d.request('GET', '/v1/tables/no_such_table')).status, 404);
  const big = await d.request('POST', '/v1/query', { body: { sql: `select '${'x'.repeat(5000)}'` } });
  assert.equal(big.status, 413);
  assert.match(big.json.error, /http_body_limit/);
  const slow = await d.query('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c');
  assert.equal(slow.status, 504);
  assert.ok(slow.json.error);
  assert.equal((await d.query('select 1 as ok')).json.rows[0].ok, 1, 'still answering after the deadline');
});

test('tables, schema, openapi and metrics', async () => {
  const tables = await d.request('GET', '/v1/tables');
  const names = tables.json.tables.map((t: { name: string }) => t.name);
  for (const name of ['uptime', 'processes', 'file_events', 'osquery_schedule', 'osquery_events']) assert.ok(names.includes(name), name);
  const uptime = await d.request('GET', '/v1/tables/uptime');
  assert.match(uptime.json.schema, /^CREATE TABLE uptime\(/);
  const openapi = await d.request('GET', '/v1/openapi.json');
  assert.equal(openapi.json.openapi, '3.1.0');
  assert.ok(openapi.json.paths['/v1/events/{table}/stream']);
  const metrics = await d.request('GET', '/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.text, /^quarry_http_requests_total\{route="\/v1\/tables",method="GET",status="200"\} \d+/m);
  assert.match(metrics.text, /^quarry_query_workers 2$/m);
  assert.match(metrics.text, /^quarry_events_total\{name="file_events",type="subscriber"/m);
  // the audit publisher is registered (disabled here): its loss and backlog families are exported
  assert.match(metrics.text, /^quarry_audit_lost \d+$/m);
  assert.match(metrics.text, /^quarry_audit_backlog \d+$/m);
  assert.match(metrics.text, /^quarry_audit_malformed_total \d+$/m);
  assert.match(metrics.text, /^quarry_buffer_consumers\{subscriber="file_events"\} \d+$/m);
  // consumer names (chosen by clients) are never labels
  assert.doesNotMatch(metrics.text, /consumer="/);
});

test('existing directories keep their mode; the ones quarryd creates are 0700', () => {
  const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
  assert.equal(mode(d.dir), '755', 'the pidfile directory was not tightened');
  assert.equal(mode(join(d.dir, 'secret')), '700');
  assert.equal(mode(join(d.dir, 'db')), '700');
  assert.equal(mode(join(d.dir, 'log')), '700');
});

test('consumer names are checked: bad characters or too long → 400 naming the rule', async () => {
  const spaced = await d.request('GET', `/v1/events/file_events?consumer=${encodeURIComponent('two words')}`);
  assert.equal(spaced.status, 400);
  assert.match(spaced.json.error, /may hold only letters, digits/);
  const long = await d.query('select 1', { consumer: 'x'.repeat(129) });
  assert.equal(long.status, 400);
  assert.match(long.json.error, /at most 128/);
  const fine = await d.request('GET', '/v1/events/file_events?consumer=team%40host%2Fsiem:1&peek=true');
  assert.equal(fine.status, 200);
});

test('event drains per consumer, peek does not move the cursor', async () => {
  const path = join(d.watchDir, 'drain.txt');
  writeFileSync(path, 'x');
  const peeked = await waitFor('stored event', async () => {
    const r = await d.request('GET', '/v1/events/file_events?peek=true');
    return r.json.rows.some((row: { target_path: string }) => row.target_path === path) && r.json.rows;
  });
  assert.ok(peeked.length >= 1);
  const drain1 = await d.request('GET', '/v1/events/file_events?consumer=alpha');
  assert.ok(drain1.json.rows.some((row: { target_path: string }) => row.target_path === path));
  assert.ok(drain1.json.rows.every((row: { eid: unknown }) => row.eid !== undefined));
  await new Promise((r) => setTimeout(r, 100));
  const drain2 = await d.request('GET', '/v1/events/file_events?consumer=alpha');
  assert.equal(drain2.json.rows.filter((row: { target_path: string }) => row.target_path === path).length, 0, 'drained once');
  const other = await d.request('GET', '/v1/events/file_events?consumer=beta');
  assert.ok(other.json.rows.some((row: { target_path: string }) => row.target_path === path), 'another consumer has its own cursor');
  const viaSql = await d.query('SELECT target_path FROM file_events', { consumer: 'gamma', peek: true });
  assert.ok(viaSql.json.rows.some((row: { target_path: string }) => row.target_path === path));
  assert.equal((await d.request('GET', '/v1/events/no_events')).status, 404);
});

test('a flood gets 429 or 503, the daemon stays up and keeps publishing', async () => {
  const statuses = await Promise.all(Array.from({ length: 400 }, () => d.query('select count(*) from processes').then((r) => r.status)));
  const counts = statuses.reduce<Record<number, number>>((m, s) => ((m[s] = (m[s] ?? 0) + 1), m), {});
  assert.ok((counts[429] ?? 0) + (counts[503] ?? 0) > 0, `some refused: ${JSON.stringify(counts)}`);
  assert.ok((counts[200] ?? 0) > 0, `some answered: ${JSON.stringify(counts)}`);
  assert.deepEqual(Object.keys(counts).filter((s) => !['200', '429', '503'].includes(s)), []);
  await new Promise((r) => setTimeout(r, 1100));
  const path = join(d.watchDir, 'after-flood.txt');
  writeFileSync(path, 'y');
  await waitFor('event after the flood', async () => {
    const r = await d.request('GET', '/v1/events/file_events?peek=true');
    return r.status === 200 && r.json.rows.some((row: { target_path: string }) => row.target_path === path);
  });
});
