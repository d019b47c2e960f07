import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uptime } from '@quarry/tables/system/uptime';
import { select } from '../engine.js';
import { sh } from '../system-tools.js';

test('uptime matches the boot time uptime(1) reports, split into days/hours/minutes/seconds', () => {
  // `uptime -s` prints the boot instant; now − boot is the uptime the kernel reports.
  const boot = Number(sh('date -d "$(uptime -s)" +%s'));
  const [row] = select('uptime');
  const now = Math.floor(Date.now() / 1000);
  assert.ok(row);
  const total = row.total_seconds as number;
  assert.ok(Math.abs(now - boot - total) <= 2, `total_seconds ${total} vs uptime -s ${now - boot}`);
  assert.equal((row.days as number) * 86400 + (row.hours as number) * 3600 + (row.minutes as number) * 60 + (row.seconds as number), total);
  assert.ok((row.hours as number) < 24 && (row.minutes as number) < 60 && (row.seconds as number) < 60);
});
