/**
 * prometheus_metrics with targets that misbehave: unreachable, slow (the timeout bounds the query), HTTP errors,
 * malformed exposition lines (skipped and counted, never thrown), bad config entries; and the exposition parser.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import { Engine } from '@quarry/sql';
import { parseExposition, remoteTables } from '@quarry/tables/remote/index';
import { freePort, startTestServer } from './remote-fixtures.js';

const mixed = [
  '# HELP good_total A counter.',
  '# TYPE good_total counter',
  'good_total 42',
  'labelled{a="1",b="with \\"quote\\" and \\\\ and \\n"} 1.5e3',
  'spaced{path="/a b/c"} -7',
  'stamped 3 1700000000123',
  'special_inf +Inf',
  'special_nan NaN',
  '',
  '  # indented comment',
  'not a sample line',
  'broken{a="1" 5',
  'novalue',
  'badvalue abc',
  'badstamp 1 soon',
  '{a="1"} 2',
  'tail_total 9',
].join('\n');

let server: { base: string; worker: Worker };
let deadPort: number;
let config: Record<string, unknown> = {};
let engine: Engine;

before(async () => {
  server = await startTestServer(mixed);
  deadPort = await freePort();
  engine = await Engine.create({ tables: remoteTables({ config: () => config }) });
});

after(async () => {
  engine?.close();
  await server?.worker.terminate();
});

test('malformed lines are skipped and counted; good samples keep their labels, values and timestamps', () => {
  const url = `${server.base}/metrics-mixed`;
  config = { prometheus_targets: { urls: [url] } };
  const result = engine.query('select metric_name, metric_value, timestamp_ms from prometheus_metrics');
  const byName = new Map(result.rows.map((row) => [row['metric_name'], row]));
  assert.deepEqual([...byName.keys()], [
    'good_total',
    'labelled{a="1",b="with \\"quote\\" and \\\\ and \\n"}',
    'spaced{path="/a b/c"}',
    'stamped',
    'special_inf',
    'special_nan',
    'tail_total',
  ]);
  assert.equal(byName.get('good_total')!['metric_value'], 42);
  assert.equal(byName.get('labelled{a="1",b="with \\"quote\\" and \\\\ and \\n"}')!['metric_value'], 1500);
  assert.equal(byName.get('spaced{path="/a b/c"}')!['metric_value'], -7);
  assert.equal(byName.get('stamped')!['timestamp_ms'], 1700000000123);
  assert.equal(byName.get('special_inf')!['metric_value'], Number.POSITIVE_INFINITY);
  assert.equal(byName.get('special_nan')!['metric_value'], null, 'SQLite stores NaN as NULL');
  const malformed = parseExposition(mixed).malformed;
  assert.equal(malformed.length, 6);
  assert.deepEqual(result.warnings, [`prometheus_metrics: target ${url}: 6 malformed lines skipped (first: line 11: ${malformed[0]!.reason})`]);
});

test('an unreachable and a slow target give warnings and no rows; the good target still answers, within the timeout', () => {
  const good = `${server.base}/metrics-mixed`;
  const dead = `http://127.0.0.1:${deadPort}/metrics`;
  const slow = `${server.base}/slow`;
  config = { prometheus_targets: { urls: [dead, slow, good], timeout: 1 } };
  const started = Date.now();
  const result = engine.query('select target_name, count(*) as n from prometheus_metrics group by target_name');
  const elapsed = Date.now() - started;
  assert.deepEqual(result.rows, [{ target_name: good, n: 7 }]);
  assert.ok(result.warnings.some((w) => w.startsWith(`prometheus_metrics: target ${dead} was not scraped: `) && /ECONNREFUSED/.test(w)), result.warnings.join('\n'));
  assert.ok(result.warnings.includes(`prometheus_metrics: target ${slow} was not scraped: no complete answer within 1000 ms (timeout)`), result.warnings.join('\n'));
  // A hang guard, not a benchmark: targets are scraped concurrently and each stops at the 1 s timeout.
  assert.ok(elapsed < 5000, `the query returned after ${elapsed} ms`);
});

test('HTTP errors, bad URLs and bad config entries are named in warnings', () => {
  const notFound = `${server.base}/status/404`;
  config = { prometheus_targets: { urls: [notFound, 'ftp://127.0.0.1/metrics', 'not a url', 7], timeout: 'soon' } };
  const result = engine.query('select * from prometheus_metrics');
  assert.deepEqual(result.rows, []);
  assert.deepEqual(result.warnings.sort(), [
    'prometheus_metrics: prometheus_targets.timeout must be a positive number of seconds, not "soon"; using 1',
    'prometheus_metrics: prometheus_targets.urls has an entry that is not a URL string: 7',
    `prometheus_metrics: target ${notFound} answered HTTP status 404 (expected 200); no metrics from it`,
    "prometheus_metrics: target ftp://127.0.0.1/metrics was not scraped: unsupported scheme 'ftp:' (use http:// or https://)",
    'prometheus_metrics: target not a url was not scraped: not a valid URL',
  ].sort());
});

test('no prometheus_targets: no rows and a warning saying what to configure', () => {
  config = {};
  const result = engine.query('select * from prometheus_metrics');
  assert.deepEqual(result.rows, []);
  assert.equal(result.warnings.length, 1);
  assert.match(result.warnings[0]!, /no targets configured; add "prometheus_targets"/);
});

test('the parser never throws on arbitrary text', () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = 'ab_:{}="\\, \t\n#0123456789.eE+-NaInf';
  for (let round = 0; round < 300; round++) {
    let text = '';
    const length = Math.floor(random() * 200);
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
    const parsed = parseExposition(text);
    const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#')).length;
    assert.equal(parsed.samples.length + parsed.malformed.length, lines);
  }
});
