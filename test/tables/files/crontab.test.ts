import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { crontab } from '@quarry/tables/files/index';
import { engineWith, rows, sqlText } from '../host-context.js';

test('crontab parses /etc/cron.d files: schedules, @events, comments and environment lines skipped', async () => {
  const path = `/etc/cron.d/quarry-test-${process.pid}`;
  const lines = ['# a comment', 'SHELL=/bin/sh', 'MAILTO=root', '*/5 1-3 * jan mon-fri root /usr/bin/run --flag "a b"', '@reboot root /usr/local/bin/start', ''];
  writeFileSync(path, lines.join('\n'));
  try {
    const engine = await engineWith(crontab);
    const got = rows(engine, `SELECT event, minute, hour, day_of_month, month, day_of_week, command FROM crontab WHERE path = ${sqlText(path)}`);
    const expected = [lines[3]!, lines[4]!].map((line) => {
      const fields = line.split(/\s+/);
      if (fields[0]!.startsWith('@')) return { event: fields[0], minute: '', hour: '', day_of_month: '', month: '', day_of_week: '', command: fields.slice(1).join(' ') };
      return { event: '', minute: fields[0], hour: fields[1], day_of_month: fields[2], month: fields[3], day_of_week: fields[4], command: fields.slice(5).join(' ') };
    });
    assert.deepEqual(got.map((r) => ({ ...r })), expected);
    const everything = rows(engine, 'SELECT path FROM crontab');
    assert.ok(everything.every((r) => r.path === '/etc/crontab' || String(r.path).startsWith('/etc/cron.d/') || String(r.path).startsWith('/var/')));
  } finally {
    rmSync(path, { force: true });
  }
});
