/**
 * Memory bounded per agent (issue #10 item 5): a result is capped before it is copied out of SQLite, so eight
 * parallel `SELECT randomblob(90000000)` over real HTTP each get a 503 naming the limit and the flag, and quarryd
 * answers afterwards. (The peak RSS of the same attack is printed by bench/daemon/memory-attack.ts, not asserted.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { QuarrydProcess } from '../daemon/quarryd-process.js';

let d: QuarrydProcess;
before(async () => {
  d = new QuarrydProcess({ flags: ['--http_rate_limit=0', '--http_max_concurrent_queries=8'] });
  d.writeConfig({});
  await d.start();
});
after(async () => {
  await d.stop();
  d.cleanup();
});

test('eight parallel 90 MB blobs get 503 naming the result size limit and the flag; quarryd answers afterwards', async () => {
  // (fetch with a long timeout: SQLite makes each 90 MB blob before the cap refuses it, two workers take turns)
  const blob = async () => {
    const response = await fetch(`${d.url}/v1/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT randomblob(90000000) AS b' }),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) };
  };
  const answers = await Promise.all(Array.from({ length: 8 }, blob));
  for (const answer of answers) {
    assert.equal(answer.status, 503, answer.text.slice(0, 300));
    assert.match(answer.json.error, /^Memory limits exceeded: the query's result is larger than 50MB, the result size limit \(a quarter of --watchdog_memory_limit=200MB\)/);
    assert.match(answer.json.error, /raise --watchdog_memory_limit/);
  }
  const after = await d.query('SELECT 1 AS one');
  assert.equal(after.status, 200);
  assert.deepEqual(after.json.rows, [{ one: 1 }]);
  // SQLite's own work on the blob is not a result: it still runs
  const length = await d.query('SELECT length(randomblob(90000000)) AS n');
  assert.equal(length.status, 200, length.text);
  assert.deepEqual(length.json.rows, [{ n: 90000000 }]);
  const stats = await d.request('GET', '/metrics');
  assert.match(stats.text, /^quarry_watchdog_memory_stops_total (\d+)$/m);
  assert.ok(Number(/^quarry_watchdog_memory_stops_total (\d+)$/m.exec(stats.text)![1]) >= 8);
});

test('the limit follows --watchdog_memory_limit, and a result under it is delivered whole', async () => {
  const small = new QuarrydProcess({ flags: ['--watchdog_memory_limit=40'] });
  small.writeConfig({});
  try {
    await small.start();
    const over = await small.query("SELECT printf('%.*c', 11000000, 'x') AS big");
    assert.equal(over.status, 503, over.text.slice(0, 300));
    assert.match(over.json.error, /larger than 10MB, the result size limit \(a quarter of --watchdog_memory_limit=40MB\)/);
    const under = await small.query("SELECT printf('%.*c', 9000000, 'x') AS big");
    assert.equal(under.status, 200, under.text.slice(0, 300));
    assert.equal(under.json.rows[0].big.length, 9_000_000);
  } finally {
    await small.stop();
    small.cleanup();
  }
});
