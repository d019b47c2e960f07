import { test } from 'node:test';
import assert from 'node:assert/strict';
import { select } from '../engine.js';
import { run } from '../system-tools.js';

test('load_average gives the 1m/5m/15m loads uptime(1) prints, with six decimals', () => {
  const rows = select('load_average');
  const printed = /load average:\s*([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(run('uptime'));
  assert.ok(printed, 'uptime printed no load average');
  assert.deepEqual(rows.map((r) => r.period), ['1m', '5m', '15m']);
  rows.forEach((row, i) => {
    assert.match(String(row.average), /^\d+\.\d{6}$/);
    // The kernel refreshes loads every 5 s; allow that drift between the two reads.
    assert.ok(Math.abs(Number(row.average) - Number(printed[i + 1])) <= 0.3, `${row.period}: ${row.average} vs ${printed[i + 1]}`);
  });
});
