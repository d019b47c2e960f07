import { test } from 'node:test';
import assert from 'node:assert/strict';
import { time } from '@quarry/tables/system/time';
import { select } from '../engine.js';
import { run } from '../system-tools.js';

test('time fields agree with date(1) for the same instant, and local_time is the current epoch', () => {
  const before = Number(run('date', ['+%s']));
  const [row] = select('time');
  const after = Number(run('date', ['+%s']));
  assert.ok(row);
  const unix = row.unix_time as number;
  assert.ok(unix >= before && unix <= after, `unix_time ${unix} outside [${before}, ${after}]`);
  assert.equal(row.local_time, unix);
  const fields = run('date', ['-u', '-d', `@${unix}`, '+%A %Y %-m %-d %-H %-M %-S %Y-%m-%dT%H:%M:%SZ']).trim().split(' ');
  assert.deepEqual(
    [row.weekday, row.year, row.month, row.day, row.hour, row.minutes, row.seconds, row.datetime],
    [fields[0], ...fields.slice(1, 7).map(Number), fields[7]],
  );
  assert.equal(row.iso_8601, row.datetime);
  assert.equal(row.timezone, 'UTC');
  // asctime layout, as osquery's log timestamp.
  const asc = run('date', ['-u', '-d', `@${unix}`, '+%a %b %e %H:%M:%S %Y UTC']).trim();
  assert.equal(row.timestamp, asc);
});
