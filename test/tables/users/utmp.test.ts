import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { last } from '@quarry/tables/users/last';
import { readUtmpFile } from '@quarry/tables/users/utmp';
import { select } from '../engine.js';
import { lines, run } from '../system-tools.js';

/** utmpdump's text records: [type] [pid] [id] [user] [line] [host] [addr] [time]. */
function dumpRecords(path: string): string[][] {
  return lines(run('utmpdump', [path])).map((l) => [...l.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!.trim()));
}

test('utmp records written by utmpdump -r read back field for field', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-utmp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const text = [
    '[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-test          ] [0.0.0.0        ] [2024-05-01T10:00:00,000000+00:00]',
    '[7] [01234] [ts/0] [alice   ] [pts/0       ] [203.0.113.9         ] [203.0.113.9    ] [2024-05-01T10:05:00,000000+00:00]',
    '[8] [01234] [ts/0] [        ] [pts/0       ] [                    ] [0.0.0.0        ] [2024-05-01T11:05:00,000000+00:00]',
    '[6] [00777] [tty1] [LOGIN   ] [tty1        ] [                    ] [0.0.0.0        ] [2024-05-01T10:01:00,000000+00:00]',
  ].join('\n');
  const wtmp = join(dir, 'wtmp');
  // utmpdump -r writes binary records to stdout; a shell redirect keeps the bytes intact.
  run('sh', ['-c', `utmpdump -r > ${wtmp}`], { input: `${text}\n` });
  const records = readUtmpFile(wtmp);
  const expected = dumpRecords(wtmp);
  assert.equal(records.length, expected.length);
  records.forEach((record, i) => {
    const [type, pid, id, user, line, host, , time] = expected[i]!;
    assert.deepEqual(
      [record.type, record.pid, record.id.trim(), record.user, record.line, record.host, record.time],
      [Number(type), Number(pid), id, user, line, host, Math.floor(Date.parse(time!.replace(',', '.').replace(/(\.\d{3})\d+/, '$1')) / 1000)],
    );
  });
});

test('last returns the user and dead process records of /var/log/wtmp', () => {
  const expected = existsSync('/var/log/wtmp') ? dumpRecords('/var/log/wtmp').filter((r) => r[0] === '7' || r[0] === '8') : [];
  const rows = select('last');
  assert.equal(rows.length, expected.length);
  rows.forEach((row, i) => {
    assert.equal(row.type, Number(expected[i]![0]));
    assert.equal(row.username, expected[i]![3]);
    assert.equal(row.type_name, row.type === 7 ? 'user' : 'dead');
  });
});

test('logged_in_users returns the /var/run/utmp sessions (none when utmp is absent), as who(1) sees them', () => {
  const rows = select('logged_in_users');
  if (!existsSync('/var/run/utmp')) {
    assert.deepEqual(rows, []);
    assert.equal(run('who').trim(), '');
    return;
  }
  const expected = dumpRecords('/var/run/utmp').filter((r) => Number(r[1]) !== 1);
  assert.equal(rows.length, expected.length);
  const whoUsers = lines(run('who')).map((l) => l.split(/\s+/)[0]);
  const userRows = rows.filter((r) => r.type === 'user').map((r) => r.user);
  assert.deepEqual(userRows.sort(), whoUsers.sort());
});
