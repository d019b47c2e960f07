/** curl against a local node:http server: status codes, body, bytes, user agent, IN lists, timeouts, size bound. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import { Engine } from '@quarry/sql';
import { remoteTables } from '@quarry/tables/remote/index';
import { freePort, sql, startTestServer } from './remote-fixtures.js';

let server: { base: string; worker: Worker };
let engine: Engine;

before(async () => {
  server = await startTestServer('');
  engine = await Engine.create({ tables: remoteTables({ curlTimeoutSeconds: 1 }) });
});

after(async () => {
  engine?.close();
  await server?.worker.terminate();
});

test('a GET: response code, body in result, bytes, method, default user agent, round trip time', async () => {
  const url = `${server.base}/ok`;
  const direct = await (await fetch(url)).text();
  const result = engine.query(`select * from curl where url = ${sql(url)}`);
  assert.deepEqual(result.warnings, []);
  assert.equal(result.rows.length, 1);
  const row = result.rows[0]!;
  assert.deepEqual({ ...row, round_trip_time: undefined }, {
    url, method: 'GET', user_agent: 'osquery', response_code: 200, round_trip_time: undefined, bytes: Buffer.byteLength(direct), result: direct,
  });
  assert.ok(Number(row['round_trip_time']) > 0, 'round_trip_time in microseconds');
});

test('status codes are reported as answered; the user agent is sent (CR/LF stripped)', () => {
  const rows = engine.query(`select url, response_code, result from curl where url in (${sql(`${server.base}/status/404`)}, ${sql(`${server.base}/status/503`)}) order by url`).rows;
  assert.deepEqual(rows, [
    { url: `${server.base}/status/404`, response_code: 404, result: 'status 404' },
    { url: `${server.base}/status/503`, response_code: 503, result: 'status 503' },
  ]);
  const agent = engine.query(`select user_agent, result from curl where url = ${sql(`${server.base}/agent`)} and user_agent = 'quarry-test/1.0\r\n'`).rows;
  assert.deepEqual(agent, [{ user_agent: 'quarry-test/1.0\r\n', result: 'quarry-test/1.0' }]);
  assert.throws(
    () => engine.query(`select * from curl where url = ${sql(`${server.base}/agent`)} and user_agent in ('a', 'b')`),
    /curl: can only accept a single user_agent/,
  );
});

test('a slow server and a refused connection give the row without a response and a clear warning', async () => {
  const slow = `${server.base}/slow`;
  const dead = `http://127.0.0.1:${await freePort()}/`;
  const started = Date.now();
  const result = engine.query(`select url, method, response_code, result from curl where url in (${sql(slow)}, ${sql(dead)}) order by url`);
  const elapsed = Date.now() - started;
  assert.deepEqual(result.rows.map((row) => row['response_code'] ?? null), [null, null]);
  assert.deepEqual(result.rows.map((row) => row['url']).sort(), [dead, slow].sort());
  assert.ok(result.warnings.includes(`curl: request to ${slow} failed: no complete answer within 1000 ms (timeout)`), result.warnings.join('\n'));
  assert.ok(result.warnings.some((w) => w.startsWith(`curl: request to ${dead} failed:`) && /ECONNREFUSED/.test(w)), result.warnings.join('\n'));
  assert.ok(elapsed < 5000, `hang guard: returned after ${elapsed} ms`);
});

test('bytes counts the body; without a url the table asks for one', () => {
  const rows = engine.query(`select bytes, length(result) as length from curl where url = ${sql(`${server.base}/big/100000`)}`).rows;
  assert.deepEqual(rows, [{ bytes: 100000, length: 100000 }]);
  assert.throws(() => engine.query('select * from curl'), /Table curl was queried without a required column in the WHERE clause/);
});
