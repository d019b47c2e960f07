/**
 * osquery's config `views`: named SELECTs the config defines, queried like tables — in the engine, in quarryi
 * (one-shot, with the config file) and in quarryd (scheduled queries and HTTP, replaced on SIGHUP). A view that is not
 * one read-only SELECT, or is named like a table, is left out with a warning; the others still work.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type TableDefinition } from '@quarry/sql';
import { quarryi } from '../shell/quarryi.js';
import { QuarrydProcess, waitFor } from '../daemon/quarryd-process.js';

const dirs: string[] = [];
const daemons: QuarrydProcess[] = [];
after(() => {
  daemons.forEach((d) => d.cleanup());
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const seen: Array<Array<string | number | bigint | null>> = [];
const numbers: TableDefinition = {
  name: 'numbers',
  description: 'test rows',
  columns: [{ name: 'n', type: 'BIGINT', index: true }, { name: 'word', type: 'TEXT' }],
  generate: (context) => {
    seen.push(context.equals('n') as Array<string | number | bigint | null>);
    return [{ n: 1, word: 'one' }, { n: 2, word: 'two' }, { n: 3, word: 'three' }];
  },
};

test('the engine creates config views, passes constraints through them, replaces them, and reports the bad ones', async () => {
  const engine = await Engine.create({ tables: [numbers] });
  try {
    const problems = engine.setConfigViews({
      // defined before the view it reads: created on a second pass
      big_words: 'select word from big',
      big: 'select n, word from numbers where n >= 2',
      two_statements: 'select 1; select 2',
      writes: "insert into numbers values (4, 'four')",
      numbers: 'select 1',
      typo: 'selct 1',
      a_pragma: 'pragma table_info(numbers)',
      missing: 'select * from no_such_table',
      trailing: 'select n from numbers;  ',
    });
    assert.deepEqual(problems.sort(), [
      'config view a_pragma: its query must be a SELECT',
      'config view missing: no such table: no_such_table',
      'config view numbers: a table has that name; rename the view',
      'config view two_statements: its query must be one statement',
      'config view typo: near "selct": syntax error',
      'config view writes: not authorized: Quarry is read-only (INSERT refused)',
    ]);
    assert.deepEqual(engine.configViewNames().sort(), ['big', 'big_words', 'trailing']);
    assert.deepEqual(engine.query('select word from big_words order by word').rows, [{ word: 'three' }, { word: 'two' }]);
    seen.length = 0;
    assert.deepEqual(engine.query('select word from big where n = 3').rows, [{ word: 'three' }]);
    assert.ok(seen.some((values) => values.length === 1 && Number(values[0]) === 3), `the n = 3 constraint reached the table: ${JSON.stringify(seen, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    assert.throws(() => engine.query('drop view big'), /not authorized: Quarry is read-only \(DROP VIEW refused\)/);
    assert.throws(() => engine.query('create temp view mine as select 1'), /not authorized: Quarry is read-only/);

    assert.deepEqual(engine.setConfigViews({ small: 'select n from numbers where n < 2' }), []);
    assert.deepEqual(engine.configViewNames(), ['small']);
    assert.throws(() => engine.query('select * from big'), /no such table: big/, 'views of the previous config are gone');
    assert.deepEqual(engine.query('select n from small').rows, [{ n: 1 }]);
  } finally {
    engine.close();
  }
});

test('quarryi reads the config views from --config_path; a bad one warns and the rest work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-views-'));
  dirs.push(dir);
  const config = join(dir, 'osquery.conf');
  writeFileSync(config, `{
  // views, as osquery's config has them
  "views": {
    "root_account": "select uid, username from users where uid = 0",
    "broken": "select * from not_a_table"
  }
}`);
  const result = quarryi([`--config_path=${config}`, '--json', 'select username from root_account']);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), [{ username: 'root' }]);
  assert.match(result.stderr, /W\d{4} [\d:.]+ +\d+ quarryi\] config view broken: no such table: not_a_table/);
});

test('quarryd: a scheduled query and HTTP read a config view; SIGHUP replaces the views; a bad view is logged once', async () => {
  const d = new QuarrydProcess();
  daemons.push(d);
  d.writeConfig({
    views: { my_uptime: 'select total_seconds from uptime', broken: 'select 1; select 2' },
    schedule: { from_view: { query: 'select total_seconds > 0 as up from my_uptime', interval: 1, snapshot: true } },
  });
  await d.start();
  await waitFor('a snapshot line from the view', () => {
    try {
      return d.snapshotLines().find((line) => line.name === 'from_view');
    } catch {
      return undefined;
    }
  }, 8000);
  const line = d.snapshotLines().find((l) => l.name === 'from_view');
  assert.deepEqual(line.snapshot, [{ up: '1' }]);
  const http = await d.request('POST', '/v1/query', { body: { sql: 'select count(*) as c from my_uptime' } });
  assert.equal(http.status, 200, http.text);
  assert.deepEqual(http.json.rows, [{ c: 1 }]);
  const warnings = d.stderr.match(/config view broken: its query must be one statement/g) ?? [];
  assert.equal(warnings.length, 1, `logged once although every worker reports it:\n${d.stderr}`);

  d.writeConfig({ views: { renamed: 'select 42 as answer' }, schedule: {} });
  d.child!.kill('SIGHUP');
  await waitFor('the new view', async () => {
    const r = await d.request('POST', '/v1/query', { body: { sql: 'select answer from renamed' } });
    return r.status === 200 ? r : undefined;
  }, 8000);
  const old = await d.request('POST', '/v1/query', { body: { sql: 'select * from my_uptime' } });
  assert.equal(old.status, 400);
  assert.match(old.json.error, /no such table: my_uptime/);
  assert.equal((await d.stop()).code, 0);
});
