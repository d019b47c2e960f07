import { test } from 'node:test';
import assert from 'node:assert/strict';
import { select } from '../engine.js';
import { lines, run } from '../system-tools.js';

test('cpu_time has one row per core, each tick counter between two reads of /proc/stat', () => {
  const read = () => lines(run('grep', ['^cpu[0-9]', '/proc/stat'])).map((l) => l.split(/\s+/).slice(1).map(Number));
  const before = read();
  const rows = select('cpu_time');
  const after = read();
  assert.equal(rows.length, Number(run('getconf', ['_NPROCESSORS_CONF']).trim()));
  const columns = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guest_nice'];
  rows.forEach((row, core) => {
    assert.equal(row.core, core);
    columns.forEach((column, i) => {
      const value = row[column] as number;
      // iowait may go backwards on Linux; every other counter is monotonic.
      if (column !== 'iowait') assert.ok(value >= before[core]![i]! && value <= after[core]![i]!, `core ${core} ${column}`);
    });
  });
});
