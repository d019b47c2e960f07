/**
 * prometheus_metrics against Debian's prometheus-node-exporter (started here on 127.0.0.1, stopped after): the
 * workshop's Lab 4 queries, and the rows compared with a direct fetch of the same /metrics text.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '@quarry/sql';
import { remoteTables } from '@quarry/tables/remote/index';
import { ensureNodeExporter, sql, startNodeExporter, type RunningExporter } from './remote-fixtures.js';

let exporter: RunningExporter;
let engine: Engine;

before(async () => {
  exporter = await startNodeExporter(ensureNodeExporter());
  const config = { prometheus_targets: { urls: [exporter.url], timeout: 5 } };
  engine = await Engine.create({ tables: remoteTables({ config: () => config }) });
});

after(async () => {
  engine?.close();
  await exporter?.stop();
});

/** Sample lines of a scrape, read the simple way: not '#', not blank; the series is everything before the last fields. */
function directSamples(text: string): { series: string; value: string }[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const space = line.lastIndexOf(' ');
      return { series: line.slice(0, space), value: line.slice(space + 1) };
    });
}

const baseName = (series: string) => series.replace(/\{.*$/, '');

test('Lab 4: select * from prometheus_metrics limit 10', () => {
  const before = Date.now();
  const result = engine.query('select * from prometheus_metrics limit 10;');
  const after = Date.now();
  assert.deepEqual(result.warnings, []);
  assert.equal(result.rows.length, 10);
  assert.deepEqual(result.columns.map((column) => column.name), ['target_name', 'metric_name', 'metric_value', 'timestamp_ms']);
  for (const row of result.rows) {
    assert.equal(row['target_name'], exporter.url);
    assert.match(String(row['metric_name']), /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?$/);
    assert.equal(typeof row['metric_value'], 'number');
    assert.ok(Number(row['timestamp_ms']) >= before - 1 && Number(row['timestamp_ms']) <= after + 1, `timestamp_ms ${row['timestamp_ms']} is the scrape time`);
  }
});

test('Lab 4: node_cpu% series equal a direct fetch of /metrics', async () => {
  const text = await (await fetch(exporter.url)).text();
  const direct = directSamples(text).filter((sample) => sample.series.startsWith('node_cpu'));
  assert.ok(direct.length > 0, 'node_exporter reports node_cpu series');
  const rows = engine.query("select metric_name, metric_value from prometheus_metrics where metric_name like 'node_cpu%';").rows;
  assert.deepEqual(rows.map((row) => row['metric_name']).sort(), direct.map((sample) => sample.series).sort());
  // node_cpu_seconds_total: one series per cpu and mode.
  const cpuSeconds = rows.filter((row) => baseName(String(row['metric_name'])) === 'node_cpu_seconds_total');
  assert.equal(cpuSeconds.length, direct.filter((sample) => baseName(sample.series) === 'node_cpu_seconds_total').length);
  // Counters only grow between the direct fetch and the query.
  const directValue = new Map(direct.map((sample) => [sample.series, Number(sample.value)]));
  for (const row of cpuSeconds) assert.ok(Number(row['metric_value']) >= directValue.get(String(row['metric_name']))!, String(row['metric_name']));
});

test('stable metrics and the set of metric names equal a direct fetch', async () => {
  const text = await (await fetch(exporter.url)).text();
  const direct = directSamples(text);
  const build = direct.filter((sample) => baseName(sample.series) === 'node_exporter_build_info');
  assert.equal(build.length, 1);
  const buildRows = engine.query(`select metric_name, metric_value from prometheus_metrics where metric_name like 'node_exporter_build_info%'`).rows;
  assert.deepEqual(buildRows, [{ metric_name: build[0]!.series, metric_value: Number(build[0]!.value) }]);
  const names = engine.query('select distinct metric_name from prometheus_metrics').rows.map((row) => baseName(String(row['metric_name'])));
  assert.deepEqual([...new Set(names)].sort(), [...new Set(direct.map((sample) => baseName(sample.series)))].sort());
  // Every TYPE line names a metric that has rows (histograms/summaries through their _sum/_count series).
  const typed = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)];
  const nameSet = new Set(names);
  for (const [, name, type] of typed) {
    const present = type === 'histogram' || type === 'summary' ? nameSet.has(`${name}_count`) : nameSet.has(name!);
    assert.ok(present, `${type} ${name} has rows`);
  }
  const total = engine.query(`select count(*) as n from prometheus_metrics where target_name = ${sql(exporter.url)}`).rows[0]!['n'];
  assert.ok(Math.abs(Number(total) - direct.length) <= direct.length * 0.05, `about as many rows (${total}) as sample lines (${direct.length})`);
});
