/**
 * syslog_events end to end: a real rsyslogd (its own config in a temp dir: imuxsock on a temp socket, ompipe into
 * Quarry's FIFO with osquery's OsqueryCsvFormat template) fed by util-linux `logger --socket`, read by the real
 * syslog publisher, stored by the real subscriber in a real LMDB ring and queried through the real SQL engine.
 * The system's syslog and /dev/log are never touched.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSyslogCsvLine, SyslogPublisher } from '@quarry/publishers';
import { syslogRingLimits } from '@quarry/subscribers';
import type { Row } from '@quarry/sql';
import { repoRoot } from '../shell/quarryi.js';
import { openEventLab, type EventLab } from './event-lab.js';
import { Rsyslogd } from './rsyslogd.js';

interface Lab extends EventLab {
  dir: string;
  pipe: string;
}

/** The built-in runtime reading syslog lines from the FIFO at `pipe` (syslog_events kept by its own limits). */
async function openLab(dir: string, pipe: string, extraArgs: string[] = []): Promise<Lab> {
  const lab = await openEventLab(['--enable_syslog=true', `--syslog_pipe_path=${pipe}`, ...extraArgs], {
    store: (flags) => ({ ringLimits: syslogRingLimits(flags) }),
  });
  return Object.assign(lab, { dir, pipe });
}

async function eventually<T>(find: () => T | undefined | false, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Writes `text` into the FIFO as a writer of its own (opened, written, closed). */
function writeIntoPipe(pipe: string, text: string): void {
  const fd = openSync(pipe, 'w');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

let root: string;
let lab: Lab;
let rsyslogd: Rsyslogd;
const tag = `quarrytest${process.pid}`;

before(async () => {
  execFileSync('sh', [join(repoRoot, 'scripts/ensure-rsyslog.sh')], { stdio: 'inherit' });
  root = mkdtempSync(join(tmpdir(), 'quarry-syslog-'));
  // The pipe's parent does not exist yet: the publisher creates it (0700) and the FIFO (0600).
  lab = await openLab(root, join(root, 'osquery', 'syslog_pipe'));
  rsyslogd = new Rsyslogd(root, lab.pipe);
  await rsyslogd.start();
});

after(async () => {
  await rsyslogd?.stop();
  await lab?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

test('the publisher creates the FIFO (0600) and its parent (0700); osquery_events shows syslog running', () => {
  const pipeStats = statSync(lab.pipe);
  assert.ok(pipeStats.isFIFO(), 'a named pipe was created');
  assert.equal(pipeStats.mode & 0o777, 0o600);
  assert.equal(statSync(join(root, 'osquery')).mode & 0o777, 0o700);
  const rows = lab.rows("select name, type, active, status from osquery_events where publisher = 'syslog' order by type");
  assert.deepEqual(rows.map((r) => [r['name'], r['type'], r['active']]), [['syslog', 'publisher', 1], ['syslog_events', 'subscriber', 1]]);
  assert.match(String(rows[0]!['status']), new RegExp(`reading ${lab.pipe}`));
});

test('a logger line through rsyslogd becomes a syslog_events row (alias syslog); a second drain returns only newer rows', async () => {
  const message = 'text with "quotes", commas, and a \\backslash';
  rsyslogd.log('auth.warning', tag, message);
  const row = await eventually(
    () => lab.rows(`select * from syslog_events where tag = '${tag}'`)[0],
    'the logger line in syslog_events',
  );
  assert.equal(row['message'], message);
  assert.equal(row['severity'], 4); // warning
  assert.equal(row['facility'], 'auth');
  const host = hostname();
  assert.ok(row['host'] === host || row['host'] === host.split('.')[0], `host ${String(row['host'])} is this machine (${host})`);
  const datetime = String(row['datetime']);
  assert.match(datetime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/, 'RFC 3339 as rsyslog wrote it');
  // time is when Quarry stored the row (as osquery), a moment after rsyslog's timestamp
  const stored = Number(row['time']);
  const logged = Date.parse(datetime) / 1000;
  assert.ok(stored >= Math.floor(logged) && stored - logged < 30, `time ${stored} follows datetime ${datetime}`);
  assert.deepEqual(lab.rows(`select message from syslog where tag = '${tag}'`), [{ message }], 'the alias answers too');
  // quarryi beside the publishing process, as a consumer of its database: the alias reaches the event side too.
  const { quarryi } = await import('../shell/quarryi.js');
  const shell = quarryi([`--database_path=${lab.store.path}`, '--consumer=shell-alias', '--json', `select message from syslog where tag = '${tag}'`]);
  assert.equal(shell.status, 0, shell.stderr);
  assert.deepEqual(JSON.parse(shell.stdout), [{ message }], shell.stderr);
  assert.match(quarryi(['.tables sys']).stdout, /=> syslog\n.*=> syslog_events\n/s, '.tables lists the alias');

  const first = lab.engine.query('select eid, tag, message from syslog_events', { consumer: 'drainer' });
  first.commit();
  assert.ok(first.rows.some((r) => r['tag'] === tag), 'the first drain holds the line');
  const lastEid = Math.max(...first.rows.map((r) => Number(r['eid'])));

  rsyslogd.log('daemon.err', tag, 'second line');
  await eventually(() => lab.rows(`select 1 from syslog_events where message = 'second line'`).length > 0, 'the second line');
  const second = lab.engine.query('select eid, tag, severity, facility, message from syslog_events', { consumer: 'drainer' });
  second.commit();
  assert.ok(second.rows.length >= 1);
  assert.ok(second.rows.every((r) => Number(r['eid']) > lastEid), 'only rows newer than the first drain');
  assert.deepEqual(
    second.rows.filter((r) => r['tag'] === tag).map((r) => [r['severity'], r['facility'], r['message']]),
    [[3, 'daemon', 'second line']],
  );
});

test('a writer that goes away and comes back is still read (rsyslogd restarted, a direct writer opened twice)', async () => {
  await rsyslogd.stop();
  writeIntoPipe(lab.pipe, `"2026-01-02T03:04:05+00:00","h1","6","user","${tag}-direct:","first writer"\n`);
  writeIntoPipe(lab.pipe, `"2026-01-02T03:04:06+00:00","h1","6","user","${tag}-direct:","second writer"\n`);
  await rsyslogd.start();
  rsyslogd.log('local3.info', tag, 'after restart');
  await eventually(() => lab.rows(`select 1 from syslog_events where tag = '${tag}' and message = 'after restart'`).length > 0, 'the line after the restart');
  assert.deepEqual(
    lab.rows(`select datetime, host, severity, facility, message from syslog_events where tag = '${tag}-direct' order by eid`),
    [
      { datetime: '2026-01-02T03:04:05+00:00', host: 'h1', severity: 6, facility: 'user', message: 'first writer' },
      { datetime: '2026-01-02T03:04:06+00:00', host: 'h1', severity: 6, facility: 'user', message: 'second writer' },
    ],
  );
});

test('malformed lines written into the FIFO are counted and skipped, warned once; the next good line still arrives', async () => {
  const before = (lab.runtime.publisher('syslog') as SyslogPublisher).counters().malformed;
  writeIntoPipe(lab.pipe, 'this is not csv at all\n"2026-01-02T03:04:05+00:00","h","6","user","t:","an open quote\n');
  rsyslogd.log('user.notice', tag, 'good after bad');
  await eventually(() => lab.rows(`select 1 from syslog_events where message = 'good after bad'`).length > 0, 'the good line after the bad ones');
  const publisher = lab.runtime.publisher('syslog') as SyslogPublisher;
  assert.equal(publisher.counters().malformed - before, 2);
  const status = String(lab.rows("select status from osquery_events where name = 'syslog'")[0]!['status']);
  assert.match(status, /2 malformed line\(s\) dropped, last: a quoted field is not closed/);
  assert.equal(lab.warnings.filter((w) => /malformed line/.test(w)).length, 1, `one warning within a minute: ${lab.warnings.join(' | ')}`);
  assert.equal(lab.rows("select count(*) as n from syslog_events where message like '%not csv%' or message = 'an open quote'")[0]!['n'], 0);
});

test('--syslog_rate_limit pauses reading for the rest of the iteration; no line is lost', async () => {
  const dir = mkdtempSync(join(root, 'rate-'));
  const limited = await openLab(dir, join(dir, 'pipe'), ['--syslog_rate_limit=2']);
  try {
    const lines = Array.from({ length: 10 }, (_, i) => `"2026-01-02T03:04:05+00:00","h","5","local0","burst:","line ${i}"\n`).join('');
    writeIntoPipe(limited.pipe, lines);
    await eventually(() => limited.rows('select count(*) as n from syslog_events')[0]!['n'] === 10, 'all ten lines', 10_000);
    assert.deepEqual(
      limited.rows('select message from syslog_events order by eid').map((r) => r['message']),
      Array.from({ length: 10 }, (_, i) => `line ${i}`),
    );
    const counters = (limited.runtime.publisher('syslog') as SyslogPublisher).counters();
    assert.ok(counters.rateLimited >= 1, 'the limit was reached at least once');
    assert.match(String(limited.rows("select status from osquery_events where name = 'syslog'")[0]!['status']), /--syslog_rate_limit=2 reached/);
  } finally {
    await limited.close();
  }
});

test('--syslog_events_max bounds the syslog_events ring only (not --events_max)', async () => {
  const dir = mkdtempSync(join(root, 'max-'));
  const capped = await openLab(dir, join(dir, 'pipe'), ['--syslog_events_max=3', '--events_max=1000']);
  try {
    writeIntoPipe(capped.pipe, Array.from({ length: 5 }, (_, i) => `"2026-01-02T03:04:05+00:00","h","5","local0","cap:","row ${i}"\n`).join(''));
    await eventually(() => capped.runtime.status().find((s) => s.name === 'syslog_events')?.events === 5, 'five rows stored');
    assert.deepEqual(capped.rows('select message from syslog_events order by eid').map((r) => r['message']), ['row 2', 'row 3', 'row 4']);
    const buffers = capped.rows("select distinct rows, dropped from quarry_buffers where subscriber = 'syslog_events'");
    assert.deepEqual(buffers, [{ rows: 3, dropped: 2 }]);
    const other = capped.store.ring('another_events');
    await other.append(Array.from({ length: 5 }, (_, i) => ({ n: i })));
    assert.equal(other.peek().length, 5, 'another ring keeps --events_max');
  } finally {
    await capped.close();
  }
});

test('a regular file at --syslog_pipe_path is reported in osquery_events; nothing crashes, the table stays empty', async () => {
  const dir = mkdtempSync(join(root, 'file-'));
  const path = join(dir, 'not-a-pipe');
  writeFileSync(path, 'hello\n');
  const broken = await openLab(dir, path);
  try {
    const rows = broken.rows("select name, active, status from osquery_events where publisher = 'syslog' order by type");
    assert.equal(rows[0]!['active'], 0);
    assert.match(String(rows[0]!['status']), new RegExp(`--syslog_pipe_path ${path} is a regular file, not a FIFO .*remove it`));
    assert.equal(rows[1]!['active'], 0);
    assert.match(String(rows[1]!['status']), /paused: publisher syslog not enabled/);
    assert.deepEqual(broken.rows('select * from syslog_events'), []);
    assert.ok(statSync(path).isFile(), 'the file is left alone');
  } finally {
    await broken.close();
  }
});

test('with --enable_syslog=false (osquery default) no pipe is created and the publisher says why', async () => {
  const dir = mkdtempSync(join(root, 'off-'));
  const pipe = join(dir, 'pipe');
  const off = await openLab(dir, pipe, ['--enable_syslog=false']);
  try {
    assert.equal(existsSync(pipe), false);
    const status = String(off.rows("select status from osquery_events where name = 'syslog'")[0]!['status']);
    assert.match(status, /Publisher disabled via configuration \(--enable_syslog=false\)/);
  } finally {
    await off.close();
  }
});

test("osquery's CSV template: quoted fields, doubled quotes, trimmed values, the tag's colon dropped", () => {
  assert.deepEqual(parseSyslogCsvLine('"2026-11-28T01:02:03.456+01:00","web1","3","auth","sshd[42]:"," say ""hi"", ok"'), {
    ok: true,
    fields: { datetime: '2026-11-28T01:02:03.456+01:00', host: 'web1', severity: '3', facility: 'auth', tag: 'sshd[42]', message: 'say "hi", ok' },
  });
  assert.deepEqual(parseSyslogCsvLine('"a","b","1","c","d:",""'), { ok: true, fields: { datetime: 'a', host: 'b', severity: '1', facility: 'c', tag: 'd', message: '' } });
  assert.deepEqual(parseSyslogCsvLine('"a","b","1","c","d"'), { ok: false, reason: '5 field(s) instead of 6 (datetime, host, severity, facility, tag, message)' });
  assert.deepEqual(parseSyslogCsvLine('"a","b","x","c","d","m"'), { ok: false, reason: 'severity "x" is not a number' });
  assert.deepEqual(parseSyslogCsvLine('"a","b","1","c","d","open'), { ok: false, reason: 'a quoted field is not closed' });
});

test('quarryd keeps syslog_events by --syslog_events_max and serves the rows over HTTP', async () => {
  const { QuarrydProcess, waitFor } = await import('../daemon/quarryd-process.js');
  const d = new QuarrydProcess({ flags: ['--disable_events=false', '--enable_syslog=true', '--syslog_events_max=2', '--events_max=1000'] });
  const pipe = join(d.dir, 'syslog', 'pipe');
  try {
    await d.start([`--syslog_pipe_path=${pipe}`]);
    await waitFor('the FIFO', () => existsSync(pipe) && statSync(pipe).isFIFO(), 5000);
    writeIntoPipe(pipe, Array.from({ length: 4 }, (_, i) => `"2026-01-02T03:04:05+00:00","h","4","auth","daemon-cap:","line ${i}"\n`).join(''));
    const buffers = await waitFor('four lines stored, two kept', async () => {
      const r = await d.request('POST', '/v1/query', { body: { sql: "select rows, appended, dropped from quarry_buffers where subscriber = 'syslog_events' limit 1" } });
      return r.json.rows?.[0]?.appended === 4 ? r.json.rows[0] : undefined;
    }, 8000);
    assert.deepEqual(buffers, { rows: 2, appended: 4, dropped: 2 }, '--syslog_events_max, not --events_max');
    const peeked = await d.request('GET', '/v1/events/syslog?consumer=siem&peek=true');
    assert.equal(peeked.status, 200, `the alias names the table: ${peeked.text}`);
    assert.equal(peeked.json.rows.length, 2);
    const drained = await d.request('GET', '/v1/events/syslog_events?consumer=siem');
    assert.equal(drained.status, 200, drained.text);
    assert.deepEqual(drained.json.rows.map((r: Row) => [r['facility'], r['tag'], r['message']]), [['auth', 'daemon-cap', 'line 2'], ['auth', 'daemon-cap', 'line 3']]);
    assert.equal((await d.stop()).code, 0);
  } finally {
    d.cleanup();
  }
});
