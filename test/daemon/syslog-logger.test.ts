/**
 * The syslog logger plugin against a REAL rsyslogd: each test starts rsyslogd with its own config in a temp dir
 * (imuxsock on a temp socket, omfile to a temp file with facility, severity, PRI, tag and message), never the system
 * syslog or /dev/log, and a real quarryd with --logger_plugin=filesystem,syslog --logger_syslog_socket=<temp>.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@quarry/config';
import { QuarrydProcess, waitFor } from './quarryd-process.js';

const root = new URL('../../', import.meta.url).pathname;
const daemons: QuarrydProcess[] = [];
const syslogs: Rsyslogd[] = [];
let work = '';

interface SyslogLine {
  facility: string;
  severity: string;
  pri: number;
  tag: string;
  message: string;
}

/** A private rsyslogd: imuxsock on `socket`, every message written to `output` as `facility|severity|pri|tag|msg`. */
class Rsyslogd {
  child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  stderr = '';
  readonly socket: string;
  readonly output: string;
  readonly config: string;

  constructor(readonly dir: string) {
    this.socket = join(dir, 'log');
    this.output = join(dir, 'messages');
    this.config = join(dir, 'rsyslog.conf');
    writeFileSync(
      this.config,
      [
        `global(workDirectory="${dir}" maxMessageSize="64k")`,
        'module(load="imuxsock" SysSock.Use="off")',
        `input(type="imuxsock" Socket="${this.socket}" RateLimit.Interval="0")`,
        'template(name="quarryTest" type="string" string="%syslogfacility-text%|%syslogseverity-text%|%pri%|%syslogtag%|%msg%\\n")',
        `*.* action(type="omfile" file="${this.output}" template="quarryTest")`,
        '',
      ].join('\n'),
    );
    syslogs.push(this);
  }

  async start(): Promise<void> {
    rmSync(this.socket, { force: true });
    const child = spawn('rsyslogd', ['-n', '-f', this.config, '-i', join(this.dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.on('exit', () => resolve()));
    await waitFor(`rsyslogd to create ${this.socket}`, () => existsSync(this.socket) || child.exitCode !== null, 10_000);
    assert.equal(child.exitCode, null, `rsyslogd exited at start: ${this.stderr}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  lines(): SyslogLine[] {
    if (!existsSync(this.output)) return [];
    return readFileSync(this.output, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [facility, severity, pri, tag, ...rest] = line.split('|');
        // rsyslog keeps the space that follows `tag:` in RFC 3164 messages as the first character of %msg%.
        return { facility: facility!, severity: severity!, pri: Number(pri), tag: tag!, message: rest.join('|').replace(/^ /, '') };
      });
  }

  /** Messages quarryd (pid) sent. */
  from(pid: number): SyslogLine[] {
    return this.lines().filter((line) => line.tag === `quarryd[${pid}]:`);
  }
}

before(() => {
  execFileSync('sh', [join(root, 'scripts/ensure-rsyslog.sh')], { stdio: 'inherit' });
  work = mkdtempSync('/tmp/quarry-syslog-');
});

after(async () => {
  for (const d of daemons) d.cleanup();
  for (const s of syslogs) await s.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function daemonWith(schedule: object, flags: string[]): QuarrydProcess {
  // One process, so the syslog tag quarryd[pid] carries the spawned pid (under the watcher the worker logs results).
  const d = new QuarrydProcess({ flags: ['--disable_watchdog', ...flags] });
  d.writeConfig({ schedule });
  daemons.push(d);
  return d;
}

async function syslogIn(name: string): Promise<Rsyslogd> {
  const s = new Rsyslogd(mkdtempSync(join(work, `${name}-`)));
  await s.start();
  return s;
}

/** The raw result lines quarryd wrote to osqueryd.results.log. */
function rawResultLines(d: QuarrydProcess): string[] {
  try {
    return readFileSync(d.resultsLog, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** A bool flag that has no effect in Quarry, from the flag table itself: setting it makes quarryd log a WARNING. */
function noEffectBoolFlag(): string {
  const definition = new Flags().definitions().find((d) => d.noEffect !== undefined && d.type === 'bool' && d.default === false && !d.hidden);
  assert.ok(definition, 'a bool flag with no effect exists');
  return definition.name;
}

test('results reach rsyslog as in osqueryd.results.log: local3, info, tag quarryd[pid]; status lines with mapped severities', async () => {
  const syslog = await syslogIn('main');
  const warnFlag = noEffectBoolFlag();
  const d = daemonWith(
    {
      clock: { query: 'SELECT unix_time, 1 AS one FROM time', interval: 1 },
      broken: { query: 'SELECT * FROM no_such_table_here', interval: 1 },
    },
    ['--logger_plugin=filesystem,syslog', `--logger_syslog_socket=${syslog.socket}`, `--${warnFlag}=true`],
  );
  await d.start();
  const pid = d.child!.pid!;
  await waitFor('three result lines in the results log', () => rawResultLines(d).length >= 3, 10_000);
  assert.equal((await d.stop()).code, 0);

  const fromQuarryd = syslog.from(pid);
  const results = fromQuarryd.filter((line) => line.severity === 'info');
  assert.deepEqual(results.map((line) => line.message), rawResultLines(d), 'the same result lines, in the same order');
  for (const line of results) {
    assert.equal(line.facility, 'local3');
    assert.equal(line.pri, 19 * 8 + 6, 'PRI = facility * 8 + LOG_INFO');
  }
  // Status lines: INFO → notice, WARNING → warning, ERROR → err, in osquery's `severity=N location=... message=...` form.
  const started = fromQuarryd.find((line) => line.message.includes(`started (pid ${pid})`));
  assert.ok(started, 'the start status line reached syslog');
  assert.equal(started.severity, 'notice');
  assert.match(started.message, /^severity=0 location=quarryd message=quarryd .* started/);
  const warning = fromQuarryd.find((line) => line.message.includes(`--${warnFlag}=true has no effect in Quarry`));
  assert.ok(warning, `the --${warnFlag} warning reached syslog`);
  assert.equal(warning.severity, 'warning');
  assert.equal(warning.facility, 'local3');
  assert.match(warning.message, /^severity=1 location=config message=/);
  const error = fromQuarryd.find((line) => line.message.includes('scheduled query broken'));
  assert.ok(error, 'the failing query error reached syslog');
  assert.equal(error.severity, 'err');
  assert.match(error.message, /^severity=2 /);
  assert.ok(!d.stderr.includes('syslog logger:'), `no syslog outage was reported:\n${d.stderr}`);
});

test('--logger_syslog_prepend_cee adds @cee:, --logger_syslog_facility=1 logs as user', async () => {
  const syslog = await syslogIn('cee');
  const d = daemonWith(
    { snap: { query: "SELECT 'a|b' AS piped, 42 AS answer", interval: 1, snapshot: true } },
    ['--logger_plugin=syslog,filesystem', `--logger_syslog_socket=${syslog.socket}`, '--logger_syslog_prepend_cee', '--logger_syslog_facility=1'],
  );
  await d.start();
  const pid = d.child!.pid!;
  await waitFor('a snapshot line', () => d.snapshotLines().length >= 1, 10_000);
  assert.equal((await d.stop()).code, 0);
  const snapshots = readFileSync(d.snapshotsLog, 'utf8').split('\n').filter(Boolean);
  const results = syslog.from(pid).filter((line) => line.severity === 'info');
  assert.deepEqual(results.map((line) => line.message), snapshots.map((line) => `@cee:${line}`));
  for (const line of syslog.from(pid)) assert.equal(line.facility, 'user');
  assert.equal(results[0]!.pri, 1 * 8 + 6);
});

test('--logger_syslog_facility=24 is refused at start with a clear error', async () => {
  const d = daemonWith({}, ['--logger_plugin=syslog', '--logger_syslog_facility=24']);
  const child = spawn(process.execPath, [...d.args()], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 1);
  assert.match(stderr, /--logger_syslog_facility.*between 0 and 23/);
});

test('an unknown --logger_plugin name stays a clear error when no extension can provide it', async () => {
  const d = daemonWith({}, ['--logger_plugin=filesystem,sislog', '--disable_extensions=true']);
  await assert.rejects(d.start(), /--logger_plugin sislog is not available in quarryd; use one or more of: filesystem,stdout,syslog/);
});

test('the syslog socket missing: quarryd keeps running, warns once, results still reach the filesystem logger once each', async () => {
  const missing = join(work, 'no-syslog-here.sock');
  const d = daemonWith({ clock: { query: 'SELECT unix_time FROM time', interval: 1 } }, ['--logger_plugin=filesystem,syslog', `--logger_syslog_socket=${missing}`]);
  await d.start();
  await waitFor('three result lines in the results log', () => rawResultLines(d).length >= 3, 10_000);
  const response = await d.query('SELECT 1 AS alive');
  assert.equal(response.status, 200, 'quarryd still answers');
  const warnings = d.stderr.split('\n').filter((line) => /^W.* syslog\] syslog logger: the syslog socket .* does not exist/.test(line));
  assert.equal(warnings.length, 1, `one warning for the outage:\n${d.stderr}`);
  assert.ok(warnings[0]!.includes(missing), 'the warning names the socket');
  // The filesystem logger took every batch, so the runs commit (re-logging would duplicate its lines); the syslog
  // logger's failure is reported once for the outage, not once per run.
  assert.doesNotMatch(d.stderr, /Could not log results of scheduled query clock/);
  const failures = d.stderr.split('\n').filter((line) => /^E.* logger\] The syslog logger failed: syslog: /.test(line));
  assert.equal(failures.length, 1, `one error for the outage:\n${d.stderr}`);
  const lines = rawResultLines(d);
  assert.equal(new Set(lines).size, lines.length, 'no result line written twice');
  assert.equal((await d.stop()).code, 0);

  // With syslog the only logger nothing holds the lines: the run is not committed and the next run logs them again.
  const alone = daemonWith({ clock: { query: 'SELECT unix_time FROM time', interval: 1 } }, ['--logger_plugin=syslog', `--logger_syslog_socket=${missing}`]);
  await alone.start();
  await waitFor('a failed run', () => /Could not log results of scheduled query clock: syslog: /.test(alone.stderr), 10_000);
  assert.equal((await alone.stop()).code, 0);
});

test('rsyslogd restarted mid-run: quarryd reconnects and later lines arrive again', async () => {
  const syslog = await syslogIn('restart');
  const d = daemonWith({ clock: { query: 'SELECT unix_time FROM time', interval: 1 } }, ['--logger_plugin=filesystem,syslog', `--logger_syslog_socket=${syslog.socket}`]);
  await d.start();
  const pid = d.child!.pid!;
  const results = () => syslog.from(pid).filter((line) => line.severity === 'info');
  await waitFor('a result line in syslog', () => results().length >= 1, 10_000);
  await syslog.stop();
  const before = results().length;
  const beforeFile = rawResultLines(d).length;
  await waitFor('a run while rsyslogd is down', () => rawResultLines(d).length >= beforeFile + 2, 10_000);
  await syslog.start();
  const restartedAt = Math.floor(Date.now() / 1000);
  await waitFor(
    'result lines after the restart',
    () => results().slice(before).some((line) => (JSON.parse(line.message) as { unixTime: number }).unixTime >= restartedAt),
    15_000,
  );
  await waitFor('the recovery note', () => /syslog logger: .* can be reached again after [\d.]+ s; \d+ line\(s\) could not be sent/.test(d.stderr), 5000);
  assert.equal((await d.stop()).code, 0);
  const outages = d.stderr.split('\n').filter((line) => /^W.* syslog\] syslog logger: /.test(line));
  assert.equal(outages.length, 1, `one warning for the outage:\n${d.stderr}`);
  // Every line syslog got after the restart is also in the results log (the same bytes).
  const fileLines = new Set(rawResultLines(d));
  for (const line of results()) assert.ok(fileLines.has(line.message), line.message);
});

test('a result line larger than one datagram is not sent; a warning names the query and the size', async () => {
  const syslog = await syslogIn('big');
  const d = daemonWith(
    {
      big: { query: "SELECT replace(hex(zeroblob(1500000)), '0', 'x') AS blob", interval: 1, snapshot: true },
      small: { query: 'SELECT 7 AS seven', interval: 1, snapshot: true },
    },
    ['--logger_plugin=filesystem,syslog', `--logger_syslog_socket=${syslog.socket}`],
  );
  await d.start();
  const pid = d.child!.pid!;
  const warning = await waitFor('the too-large warning', () => /syslog logger: a result line of scheduled query big is (\d+) bytes as a syslog message, more than the socket .* takes in one datagram \((\d+) bytes\)/.exec(d.stderr) ?? undefined, 10_000);
  await waitFor('a small line in syslog', () => syslog.from(pid).some((line) => line.severity === 'info' && line.message.includes('"seven"')), 10_000);
  assert.equal((await d.stop()).code, 0);
  const bigLine = readFileSync(d.snapshotsLog, 'utf8').split('\n').find((line) => line.includes('"big"'));
  assert.ok(bigLine && bigLine.length > 3_000_000, 'the filesystem logger has the big line');
  assert.ok(Number(warning[1]) > Number(bigLine.length), 'the size counts the syslog framing');
  assert.ok(Number(warning[1]) > Number(warning[2]));
  assert.ok(!syslog.from(pid).some((line) => line.message.includes('"big"')), 'the big line was not sent (nor truncated)');
  assert.ok(!/Could not log results of scheduled query big/.test(d.stderr), 'too large is not a logging failure (it would never succeed)');
});
