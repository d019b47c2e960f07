/**
 * Review fixes in quarryd's building blocks, against real files, a real LMDB store and real worker threads:
 * private directories, the persisted denylist, the SSE where-validation, the concurrency gate, the pool's shutdown,
 * whole doubles with --logger_numerics.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '@quarry/buffers';
import { ensurePrivateDirectory } from '@quarry/daemon/store/open-store';
import { DaemonState } from '@quarry/daemon/scheduler/daemon-state';
import { whereProblem } from '@quarry/daemon/http/event-stream';
import { ConcurrencyGate } from '@quarry/daemon/http/rate-limit';
import { QueryFailure, QueryPool } from '@quarry/daemon/pool/query-pool';
import { loggedRow, snapshotLine, batchLine } from '@quarry/daemon/results/result-format';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quarryd-hardening-'));
  dirs.push(dir);
  return dir;
}
const modeOf = (path: string): number => statSync(path).mode & 0o777;

test('ensurePrivateDirectory leaves existing directories alone and makes the ones it creates 0700', () => {
  const root = tempDir();
  const existing = join(root, 'shared');
  mkdirSync(existing);
  chmodSync(existing, 0o755);
  ensurePrivateDirectory(existing);
  assert.equal(modeOf(existing).toString(8), '755', 'an existing directory keeps its mode');
  const nested = join(existing, 'a', 'b');
  ensurePrivateDirectory(nested);
  assert.equal(modeOf(existing).toString(8), '755', 'the existing parent of created directories keeps its mode');
  assert.equal(modeOf(join(existing, 'a')).toString(8), '700');
  assert.equal(modeOf(nested).toString(8), '700');
});

test('the persisted denylist keeps query names that hold ":" (stored as JSON, read back after reopening)', () => {
  const path = join(tempDir(), 'db');
  const expiry = Math.floor(Date.now() / 1000) + 3600;
  const names = ['pack:my_pack:processes', 'plain', 'a:1:b:2'];
  {
    const store = EventStore.open(path, { role: 'publisher' });
    const state = new DaemonState((name) => store.kv(name));
    state.saveFailedQueries(new Map(names.map((n, i) => [n, expiry + i])));
    store.close();
  }
  const store = EventStore.open(path, { role: 'publisher' });
  const state = new DaemonState((name) => store.kv(name));
  assert.deepEqual([...state.failedQueries()], names.map((n, i) => [n, expiry + i]));
  store.close();
});

test('where: refuses comments, ";" outside strings, escaping parentheses and top-level statements; accepts expressions', () => {
  const refused: Array<[string, RegExp]> = [
    ['1) UNION SELECT uid FROM users --', /parenthesis|comments/],
    ['1) UNION SELECT uid FROM users', /closes a parenthesis/],
    ['1 /* x */', /comments/],
    ['1 -- x', /comments/],
    ['1; select 1', /single SQL expression/],
    ['(1', /open/],
    ['1 UNION SELECT 1', /UNION is only allowed inside parentheses/],
    ["target_path = 'abc", /unterminated string/],
    ['', /empty/],
  ];
  for (const [where, message] of refused) assert.match(whereProblem(where) ?? 'accepted', message, where);
  const accepted = [
    "target_path LIKE '%.log' AND action = 'CREATED'",
    "target_path = 'a;b -- not a comment /* */ )'",
    'pid IN (SELECT pid FROM processes WHERE name = \'x\')',
    '"action" = \'UPDATED\' OR (size > 10 AND (mode = \'0644\'))',
    'selected_thing = 1',
  ];
  for (const where of accepted) assert.equal(whereProblem(where), undefined, where);
});

test('the concurrency gate hands a released slot to a waiter: never more than the limit at once', async () => {
  const gate = new ConcurrencyGate(1, 10);
  const first = await gate.enter();
  assert.ok(first);
  const waiter = gate.enter();
  first();
  // between the release and the waiter running, a new caller must not get in
  const intruder = gate.enter();
  const handed = await waiter;
  assert.ok(handed);
  assert.equal(gate.inFlight(), 1);
  handed();
  const late = await intruder;
  assert.ok(late);
  assert.equal(gate.inFlight(), 1);
  late();
  assert.equal(gate.inFlight(), 0);
});

test('QueryPool.close() fails the running and queued queries (kind "closed") instead of leaving them pending', async () => {
  const pool = new QueryPool({
    size: 1,
    init: {
      databasePath: join(tempDir(), 'none'),
      openStore: false,
      readMax: 50 * 1024 * 1024,
      disableTables: '',
      enableTables: '',
      eventsEnabled: false,
      queryTimeoutMs: 24 * 3600 * 1000,
      rowCap: 1_000_000,
      regexMaxSize: 256,
    },
    queueLimit: 16,
    deadlineMs: 0,
    memoryLimitMb: 0,
  });
  await pool.start();
  const forever = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c';
  const jobs = [pool.run({ sql: forever }), pool.run({ sql: 'select 1' }), ...Array.from({ length: 5 }, () => pool.run({ sql: forever }))];
  const outcomes = jobs.map((job) => job.then(() => 'answered', (error: unknown) => (error instanceof QueryFailure ? error.kind : String(error))));
  await new Promise((r) => setTimeout(r, 300));
  await pool.close();
  const settled = await Promise.race([Promise.all(outcomes), new Promise<'pending'>((r) => setTimeout(() => r('pending'), 3000))]);
  assert.notEqual(settled, 'pending', 'every run() settles after close()');
  assert.ok((settled as string[]).every((kind) => kind === 'closed'), JSON.stringify(settled));
});

test('--logger_numerics keeps ".0" on whole doubles, as osquery does; integers and other doubles unchanged', () => {
  const types = new Map([
    ['whole', 'DOUBLE'],
    ['half', 'DOUBLE'],
    ['count', 'BIGINT'],
    ['negative', 'DOUBLE'],
  ]);
  const row = loggedRow({ whole: 2, half: 2.5, count: 3, negative: -4, text: 'x' }, types, true);
  const header = { name: 'q', hostIdentifier: 'h', unixTime: 0, epoch: 0, counter: 0, numerics: true, decorations: {}, decorationsTopLevel: false };
  const snapshot = snapshotLine(header, [row]);
  assert.match(snapshot, /"snapshot":\[\{"count":3,"half":2.5,"negative":-4.0,"text":"x","whole":2.0\}\]/);
  assert.deepEqual(JSON.parse(snapshot).snapshot[0], { count: 3, half: 2.5, negative: -4, text: 'x', whole: 2 });
  assert.match(batchLine(header, [], [row]), /"added":\[\{"count":3,"half":2.5,"negative":-4.0,"text":"x","whole":2.0\}\]/);
  // without numerics: strings, with ".0" (unchanged)
  assert.deepEqual(loggedRow({ whole: 2 }, types, false), { whole: '2.0' });
});

test('differential results: when the result lines cannot be written, the baseline is not saved and the next run logs them', async () => {
  const { Flags } = await import('@quarry/config');
  const { Scheduler } = await import('@quarry/daemon/scheduler/scheduler');
  const { Decorators } = await import('@quarry/daemon/scheduler/decorators');
  const { StatusLog } = await import('@quarry/daemon/status-log');
  const { FilesystemLogger, ResultSink } = await import('@quarry/daemon/results/result-loggers');
  const root = tempDir();
  const store = EventStore.open(join(root, 'db'), { role: 'publisher' });
  const state = new DaemonState((name) => store.kv(name));
  const pool = new QueryPool({
    size: 1,
    init: { databasePath: '', openStore: false, readMax: 1 << 20, disableTables: '', enableTables: '', eventsEnabled: false, queryTimeoutMs: 10_000, rowCap: 1000, regexMaxSize: 256 },
    queueLimit: 16,
    deadlineMs: 0,
    memoryLimitMb: 0,
  });
  await pool.start();
  const log = new StatusLog(0, false, () => undefined);
  const { flags } = Flags.parse(['--logger_event_type=true']);
  const entry = { name: 'pack:p:q', pack: 'main', query: "SELECT 'a' AS v UNION ALL SELECT 'b'", interval: 60, snapshot: false, removed: true, denylist: true, discovery: [] };
  const schedulerLoggingTo = (directory: string) => {
    const scheduler = new Scheduler({
      flags,
      pool,
      state,
      sink: new ResultSink([new FilesystemLogger(directory, 0o600)]),
      log,
      decorators: new Decorators(async () => [], log, true),
      hostIdentifier: () => 'host',
      watchdogEnabled: true,
    });
    scheduler.setSchedule([entry], {});
    return scheduler;
  };
  // a full disk: the results log is /dev/full, every write fails with ENOSPC
  const full = join(root, 'full');
  mkdirSync(full);
  symlinkSync('/dev/full', join(full, 'osqueryd.results.log'));
  const first = await schedulerLoggingTo(full).runByName(entry.name);
  assert.equal(first?.ok, false, 'the write failed');
  assert.equal(state.results(entry.name), undefined, 'no baseline saved for lines that never reached the log');
  // after the disk was fixed (here: another log directory), the same rows are logged
  const good = join(root, 'good');
  const second = await schedulerLoggingTo(good).runByName(entry.name);
  assert.equal(second?.ok, true);
  const lines = readFileSync(join(good, 'osqueryd.results.log'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  assert.deepEqual(lines.filter((line) => line.action === 'added').map((line) => line.columns.v).sort(), ['a', 'b'], 'the rows are logged again');
  assert.deepEqual(state.results(entry.name)?.rows, [{ v: 'a' }, { v: 'b' }]);
  await pool.close();
  store.close();
});

test('a query stopped at its deadline fails alone: the queries queued behind it on that worker still answer', async () => {
  const pool = new QueryPool({
    size: 1,
    init: { databasePath: '', openStore: false, readMax: 1 << 20, disableTables: '', enableTables: '', eventsEnabled: false, queryTimeoutMs: 24 * 3600 * 1000, rowCap: 1000, regexMaxSize: 256 },
    queueLimit: 16,
    deadlineMs: 500,
    memoryLimitMb: 0,
  });
  await pool.start();
  const forever = pool.run({ sql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c' });
  const behind = [pool.run({ sql: 'SELECT 1 AS one' }), pool.run({ sql: 'SELECT 2 AS two' })];
  await assert.rejects(forever, (error: unknown) => error instanceof QueryFailure && error.kind === 'timeout');
  const answers = await Promise.all(behind);
  assert.deepEqual(answers.map((a) => a.rows[0]), [{ one: 1 }, { two: 2 }]);
  assert.equal(pool.stats().timeouts, 1);
  await pool.close();
});

test('ResultSink: a batch one logger failed but another took is committed (no re-logging); the failure is reported once per outage', async () => {
  const { FilesystemLogger, ResultSink } = await import('@quarry/daemon/results/result-loggers');
  const root = tempDir();
  const [broken, good] = [join(root, 'broken'), join(root, 'good')];
  mkdirSync(broken);
  mkdirSync(good);
  symlinkSync('/dev/full', join(broken, 'osqueryd.results.log')); // every write fails with ENOSPC
  const reports: string[] = [];
  const sink = new ResultSink([new FilesystemLogger(broken, 0o600), new FilesystemLogger(good, 0o600)], {
    onLoggerFailure: (logger, error) => reports.push(`failed ${logger}: ${(error as Error).message}`),
    onLoggerRecovered: (logger) => reports.push(`recovered ${logger}`),
  });
  for (const line of ['{"n":1}', '{"n":2}']) {
    sink.logString(line);
    assert.doesNotThrow(() => sink.flush(), 'the good logger took the batch: the run may commit');
  }
  assert.equal(reports.length, 1, JSON.stringify(reports));
  assert.match(reports[0]!, /^failed filesystem: .*ENOSPC/);
  assert.deepEqual(readFileSync(join(good, 'osqueryd.results.log'), 'utf8').split('\n').filter(Boolean), ['{"n":1}', '{"n":2}']);
  sink.close();

  // every logger failing: nothing holds the batch, flush() throws and the scheduler does not commit
  const alone = new ResultSink([new FilesystemLogger(broken, 0o600)]);
  alone.logString('{"n":3}');
  assert.throws(() => alone.flush(), /ENOSPC/);
  alone.close();
});
