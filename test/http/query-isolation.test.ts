/**
 * Per-query isolation on quarryd's pooled engines (issue #10 item 4): every statement that could leave state on a
 * worker's connection (a pragma that changes LIKE, a transaction or savepoint left open, a temp table/view/trigger,
 * an attached database) is sent over real HTTP to a real quarryd, to every worker, and afterwards a scheduled
 * snapshot query and HTTP queries must still see `EVIL` match `LIKE '%evil%'`. quarryi's own session is one
 * connection and keeps its state, as osqueryi does; quarryi --connect goes through the isolated endpoint.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { QuarrydProcess, waitFor } from '../daemon/quarryd-process.js';
import { quarryi } from '../shell/quarryi.js';

const WORKERS = 2;
const CHECK_VIEW = "SELECT count(*) AS matches FROM evil_names WHERE name LIKE '%evil%'";
const CHECK_TABLE = "SELECT count(*) AS matches FROM time WHERE 'EVIL' LIKE '%evil%'";

let d: QuarrydProcess;
before(async () => {
  d = new QuarrydProcess({ flags: [`--worker_threads=${WORKERS}`, '--http_rate_limit=0'] });
  d.writeConfig({
    views: { evil_names: "SELECT 'EVIL' AS name" },
    schedule: { evil_count: { query: CHECK_VIEW, interval: 1, snapshot: true } },
  });
  await d.start();
});
after(async () => {
  await d.stop();
  d.cleanup();
});

/** Sends `sql` once per worker and a few more, all at once, so every pooled engine runs it. */
async function sendToEveryWorker(sql: string): Promise<Array<{ status: number; json: any }>> {
  return Promise.all(Array.from({ length: WORKERS * 3 }, () => d.query(sql)));
}

/** Runs both checks on every worker (in parallel batches): each must still match. */
async function assertChecksUnchanged(after: string): Promise<void> {
  for (const sql of [CHECK_VIEW, CHECK_TABLE]) {
    const answers = await sendToEveryWorker(sql);
    for (const answer of answers) {
      assert.equal(answer.status, 200, `${sql} after ${after}: ${JSON.stringify(answer.json)}`);
      assert.equal(answer.json.rows[0].matches, 1, `${sql} after ${after} matched ${answer.json.rows[0].matches}`);
    }
  }
}

test('no statement a caller sends changes what later queries on the pooled engines see', async () => {
  await assertChecksUnchanged('start');
  // Refused outright: each would change later queries (pragmas) or leave an object behind (temp objects, ATTACH).
  const refused: Array<[string, RegExp]> = [
    ['PRAGMA case_sensitive_like=1', /PRAGMA case_sensitive_like=1 would change what later queries on this shared query engine see/],
    ['PRAGMA case_sensitive_like = true', /PRAGMA case_sensitive_like=true would change what later queries/],
    ['PRAGMA journal_mode=MEMORY', /PRAGMA journal_mode=MEMORY would change what later queries/],
    ['PRAGMA reverse_unordered_selects=1', /Quarry is read-only \(PRAGMA reverse_unordered_selects refused\)/],
    ['PRAGMA full_column_names=1', /Quarry is read-only \(PRAGMA full_column_names refused\)/],
    ['PRAGMA automatic_index=0', /Quarry is read-only \(PRAGMA automatic_index refused\)/],
    ['PRAGMA query_only=1', /Quarry is read-only \(PRAGMA query_only refused\)/],
    ['CREATE TEMP VIEW evil_names AS SELECT 1 AS name', /Quarry is read-only \(CREATE TEMP VIEW refused\)/],
    ['CREATE TEMP TABLE t(x)', /Quarry is read-only \(CREATE TEMP TABLE refused\)/],
    ['CREATE TEMP TRIGGER tr INSTEAD OF INSERT ON evil_names BEGIN SELECT 1; END', /Quarry is read-only \(CREATE TEMP TRIGGER refused\)/],
    ["ATTACH ':memory:' AS other", /Quarry is read-only \(ATTACH refused\)/],
    ['BEGIN IMMEDIATE', /Quarry is read-only \(BEGIN refused\)/],
  ];
  for (const [sql, message] of refused) {
    for (const answer of await sendToEveryWorker(sql)) {
      assert.equal(answer.status, 400, `${sql}: ${JSON.stringify(answer.json)}`);
      assert.match(answer.json.error, message, sql);
    }
    await assertChecksUnchanged(sql);
  }
  // Allowed, but nothing survives the request: an open transaction or savepoint is rolled back when it ends.
  for (const sql of ['BEGIN', 'BEGIN DEFERRED', 'SAVEPOINT held', 'BEGIN; SAVEPOINT inner', 'PRAGMA case_sensitive_like', 'PRAGMA journal_mode']) {
    for (const answer of await sendToEveryWorker(sql)) assert.equal(answer.status, 200, `${sql}: ${JSON.stringify(answer.json)}`);
    // a later BEGIN on the same worker would fail with "cannot start a transaction within a transaction"
    for (const answer of await sendToEveryWorker('BEGIN')) assert.equal(answer.status, 200, `BEGIN after ${sql}: ${JSON.stringify(answer.json)}`);
    for (const answer of await sendToEveryWorker('COMMIT')) {
      assert.equal(answer.status, 400, `COMMIT after ${sql} finds no transaction open`);
      assert.match(answer.json.error, /no transaction is active/);
    }
    await assertChecksUnchanged(sql);
  }
  // The read-only pragma forms still answer, in one request with a SELECT.
  const both = await d.query("BEGIN; SELECT 'EVIL' LIKE '%evil%' AS matches");
  assert.equal(both.status, 200);
  assert.equal(both.json.rows[0].matches, 1);

  // The scheduled snapshot query, run by the workers in between, saw the same match every time.
  const started = Date.now();
  const snapshots = await waitFor('two snapshot runs after the statements', () => {
    const lines = d.snapshotLines().filter((line) => line.name === 'evil_count' && line.unixTime * 1000 >= started - 1000);
    return lines.length >= 2 ? lines : undefined;
  }, 10_000);
  const all = d.snapshotLines().filter((line) => line.name === 'evil_count');
  assert.ok(all.length >= snapshots.length);
  for (const line of all) assert.deepEqual(line.snapshot, [{ matches: '1' }], JSON.stringify(line));
});

test('quarryi: a session keeps its own pragma (as osqueryi); quarryi --connect goes through the isolated endpoint', async () => {
  const local = quarryi(['--json', "PRAGMA case_sensitive_like=1; SELECT 'EVIL' LIKE '%evil%' AS matches"]);
  assert.equal(local.status, 0, local.stderr);
  // (one JSON array per statement: the pragma's is empty)
  assert.match(local.stdout, /^\[\s*\]\s*\[\s*\{"matches":"0"\}\s*\]\s*$/);

  const remote = quarryi(['--connect', d.url, `--token_file=${d.tokenFile}`, '--json', 'PRAGMA case_sensitive_like=1']);
  assert.notEqual(remote.status, 0);
  assert.match(remote.stderr, /PRAGMA case_sensitive_like=1 would change what later queries on this shared query engine see/);
  const after = quarryi(['--connect', d.url, `--token_file=${d.tokenFile}`, '--json', "SELECT 'EVIL' LIKE '%evil%' AS matches"]);
  assert.equal(after.status, 0, after.stderr);
  assert.match(after.stdout, /^\[\s*\{"matches":"1"\}\s*\]\s*$/);
});
