/**
 * Workshop Interactive Lab 1 ("Install, Launch, & Test"): `osqueryi <enter>` then `select * from uptime;`, with
 * quarryi in the three ways a user meets it — one-shot positional, piped stdin and the interactive prompt — each
 * answer checked against /proc/uptime.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bothWays, parsePretty, prettyHeader, PromptSession, removePrivateHomes, type Row } from './workshop.js';

after(removePrivateHomes);

const UPTIME_COLUMNS = ['days', 'hours', 'minutes', 'seconds', 'total_seconds'];

function procUptime(): number {
  return Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]));
}

/** One uptime row agrees with /proc/uptime read just before and just after, and its parts add up. */
function assertUptime(row: Row | undefined, before: number, after: number): void {
  assert.ok(row, 'one uptime row');
  const total = Number(row.total_seconds);
  assert.ok(total >= before && total <= after, `total_seconds ${total} within /proc/uptime ${before}..${after}`);
  assert.equal(Number(row.days), Math.floor(total / 86400));
  assert.equal(Number(row.hours), Math.floor((total % 86400) / 3600));
  assert.equal(Number(row.minutes), Math.floor((total % 3600) / 60));
  assert.equal(Number(row.seconds), total % 60);
}

test('Lab 1: `select * from uptime;` one-shot and piped matches /proc/uptime', async () => {
  const before = procUptime();
  const { oneShot, piped } = await bothWays('select * from uptime;');
  const after = procUptime() + 1;
  for (const run of [oneShot, piped]) {
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.deepEqual(prettyHeader(run.stdout), UPTIME_COLUMNS);
    const rows = parsePretty(run.stdout);
    assert.equal(rows.length, 1);
    assertUptime(rows[0], before, after);
  }
});

test('Lab 1: `quarryi <enter>` then `select * from uptime;` at the quarry> prompt', async () => {
  const session = new PromptSession([]);
  try {
    const banner = await session.waitFor(/quarry> $/);
    assert.match(banner, /Using a virtual database\. Need help, type '\.help'/);
    const before = procUptime();
    const shown = await session.type('select * from uptime;');
    const after = procUptime() + 1;
    const rows = parsePretty(shown);
    assert.equal(rows.length, 1, shown);
    assertUptime(rows[0], before, after);
    assert.equal(await session.exit(), 0);
  } finally {
    session.kill();
  }
});
