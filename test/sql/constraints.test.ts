// Constraints reach generators: every operator, IN lists whole, LIKE, joins per outer row, required columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, QueryError, type Constraint, type QueryContext, type TableDefinition } from '@quarry/sql';

interface Recorder {
  calls: QueryContext[];
}

function filesTable(recorder: Recorder): TableDefinition {
  const files = [
    { path: '/etc/hosts', directory: '/etc', size: 120, mode: '0644', inode: '11' },
    { path: '/etc/passwd', directory: '/etc', size: 2048, mode: '0644', inode: '12' },
    { path: '/tmp/a', directory: '/tmp', size: 0, mode: '0600', inode: '13' },
  ];
  return {
    name: 'test_files',
    description: 'files for constraint tests',
    columns: [
      { name: 'path', type: 'TEXT', index: true },
      { name: 'directory', type: 'TEXT', additional: true },
      { name: 'size', type: 'BIGINT', index: true },
      { name: 'mode', type: 'TEXT' },
      { name: 'inode', type: 'BIGINT' },
    ],
    generate(context) {
      recorder.calls.push(context);
      return files;
    },
  };
}

function hashTable(recorder: Recorder): TableDefinition {
  return {
    name: 'test_hash',
    description: 'needs a path',
    columns: [
      { name: 'path', type: 'TEXT', required: true },
      { name: 'directory', type: 'TEXT', required: true },
      { name: 'length', type: 'INTEGER' },
    ],
    generate(context) {
      recorder.calls.push(context);
      return context.equals('path').map((path) => ({ path, length: String(path).length }));
    },
  };
}

const simplified = (constraints: readonly Constraint[]) => constraints.map((c) => `${c.column} ${c.operator} ${String(c.value)}`);

test('every operator on an index column reaches the generator', async () => {
  const recorder: Recorder = { calls: [] };
  const engine = await Engine.create({ tables: [filesTable(recorder)] });
  const cases: Array<[string, string]> = [
    ['size = 120', 'size = 120'],
    ['size > 100', 'size > 100'],
    ['size >= 100', 'size >= 100'],
    ['size < 100', 'size < 100'],
    ['size <= 100', 'size <= 100'],
    ["path LIKE '/etc/%'", 'path LIKE /etc/%'],
    ["path GLOB '/etc/*'", 'path GLOB /etc/*'],
    ["directory = '/tmp'", 'directory = /tmp'],
  ];
  for (const [where, expected] of cases) {
    recorder.calls.length = 0;
    engine.query(`select * from test_files where ${where}`);
    assert.equal(recorder.calls.length, 1, where);
    assert.deepEqual(simplified(recorder.calls[0]!.constraints), [expected], where);
  }
  // SQLite still filters: the generator returned all three rows.
  assert.deepEqual(engine.query("select path from test_files where path LIKE '/etc/%' order by path").rows.map((r) => r.path), ['/etc/hosts', '/etc/passwd']);
  engine.close();
});

test('constraints on other columns and range constraints on TEXT columns are not pushed', async () => {
  const recorder: Recorder = { calls: [] };
  const engine = await Engine.create({ tables: [filesTable(recorder)] });
  const rows = engine.query("select path from test_files where mode = '0600' and path > '/a'").rows;
  assert.deepEqual(rows, [{ path: '/tmp/a' }]);
  assert.deepEqual(recorder.calls[0]!.constraints, []);
  engine.close();
});

test('IN lists arrive whole as one = constraint per value, and rows outside the list are dropped', async () => {
  const recorder: Recorder = { calls: [] };
  const engine = await Engine.create({ tables: [filesTable(recorder)] });
  const result = engine.query("select path from test_files where path in ('/etc/hosts', '/tmp/a', '/nope') order by path");
  assert.equal(recorder.calls.length, 1, 'one generator call for the whole IN list');
  assert.deepEqual(recorder.calls[0]!.equals('path').sort(), ['/etc/hosts', '/nope', '/tmp/a']);
  assert.deepEqual(result.rows.map((r) => r.path), ['/etc/hosts', '/tmp/a']);
  const numeric = engine.query('select path from test_files where size in (0, 2048) order by path');
  assert.deepEqual(numeric.rows.map((r) => r.path), ['/etc/passwd', '/tmp/a']);
  engine.close();
});

test('QueryContext helpers and columnsUsed', async () => {
  const recorder: Recorder = { calls: [] };
  const engine = await Engine.create({ tables: [filesTable(recorder)] });
  engine.query("select mode from test_files where size >= 1 and size < 5000 and path like '/%'");
  const context = recorder.calls[0]!;
  assert.equal(context.table, 'test_files');
  assert.ok(context.isConstrained('size'));
  assert.ok(context.isConstrained('PATH'));
  assert.ok(!context.isConstrained('mode'));
  assert.deepEqual(context.constraintsOn('size').map((c) => c.operator).sort(), ['<', '>=']);
  assert.deepEqual([...context.columnsUsed].sort(), ['mode', 'path', 'size']);
  assert.equal(context.session.consumer, 'shell');
  engine.close();
});

test('a join pushes the outer value to the inner table once per outer row', async () => {
  const files: Recorder = { calls: [] };
  const hashes: Recorder = { calls: [] };
  const engine = await Engine.create({ tables: [filesTable(files), hashTable(hashes)] });
  const result = engine.query('select f.path, h.length from test_files f join test_hash h on h.path = f.path order by f.path');
  assert.deepEqual(result.rows, [
    { path: '/etc/hosts', length: 10 },
    { path: '/etc/passwd', length: 11 },
    { path: '/tmp/a', length: 6 },
  ]);
  assert.equal(hashes.calls.length, 3);
  assert.deepEqual(hashes.calls.map((c) => c.equals('path')), [['/etc/hosts'], ['/etc/passwd'], ['/tmp/a']]);
  // Written the other way round, the planner still puts the table with the required column inside.
  hashes.calls.length = 0;
  const reversed = engine.query('select f.path, h.length from test_hash h, test_files f where h.path = f.path');
  assert.equal(reversed.rows.length, 3);
  assert.equal(hashes.calls.length, 3);
  engine.close();
});

test('a table queried without any required column fails with code 19', async () => {
  const recorder: Recorder = { calls: [] };
  const engine = await Engine.create({ tables: [hashTable(recorder)] });
  assert.throws(
    () => engine.query('select * from test_hash'),
    (error: unknown) =>
      error instanceof QueryError &&
      error.code === 19 &&
      error.message === 'Table test_hash was queried without a required column in the WHERE clause',
  );
  assert.throws(() => engine.query("select * from test_hash where length = 3"), /without a required column/);
  assert.equal(recorder.calls.length, 0, 'the generator never ran');
  // Any one required column satisfies the requirement.
  assert.deepEqual(engine.query("select * from test_hash where directory = '/etc'").rows, []);
  assert.deepEqual(engine.query("select length from test_hash where path = '/x/y'").rows, [{ length: 4 }]);
  engine.close();
});

test('generator values are converted to the declared column types', async () => {
  const table: TableDefinition = {
    name: 'typed',
    description: 'conversion',
    columns: [
      { name: 'i', type: 'INTEGER' },
      { name: 'b', type: 'BIGINT' },
      { name: 'u', type: 'UNSIGNED BIGINT' },
      { name: 'd', type: 'DOUBLE' },
      { name: 't', type: 'TEXT' },
      { name: 'x', type: 'BLOB' },
    ],
    generate: () => [
      { i: '42', b: '9007199254740993', u: '18446744073709551615', d: '1.5', t: 7, x: new Uint8Array([0, 1, 2]) },
      { i: '', b: 'abc', u: 5n, d: '', t: null, x: undefined },
      { i: 3, b: 2n ** 40n, u: 0, d: 2, t: 'é', x: null },
    ],
  };
  const engine = await Engine.create({ tables: [table] });
  const rows = engine.query('select i, b, u, d, t, x, typeof(i) ti, typeof(d) td, typeof(t) tt from typed').rows;
  assert.deepEqual(rows[0], { i: 42, b: 9007199254740993n, u: -1, d: 1.5, t: '7', x: new Uint8Array([0, 1, 2]), ti: 'integer', td: 'real', tt: 'text' });
  assert.deepEqual(rows[1], { i: null, b: null, u: 5, d: null, t: null, x: null, ti: 'null', td: 'null', tt: 'null' });
  assert.deepEqual(rows[2], { i: 3, b: 2 ** 40, u: 0, d: 2, t: 'é', x: null, ti: 'integer', td: 'real', tt: 'text' });
  engine.close();
});

test('a generator error aborts the statement with its message', async () => {
  const table: TableDefinition = {
    name: 'broken',
    description: 'throws',
    columns: [{ name: 'a', type: 'TEXT' }],
    *generate() {
      yield { a: 'first' };
      throw new Error('cannot read /proc/self/broken: EACCES');
    },
  };
  const engine = await Engine.create({ tables: [table] });
  assert.throws(() => engine.query('select * from broken'), (error: unknown) => error instanceof QueryError && error.message === 'cannot read /proc/self/broken: EACCES' && error.code === 1);
  assert.deepEqual(engine.query('select 1 as ok').rows, [{ ok: 1 }], 'the engine keeps working');
  engine.close();
});

test('the planner option reports xBestIndex and xFilter decisions', async () => {
  const recorder: Recorder = { calls: [] };
  const lines: string[] = [];
  const engine = await Engine.create({ tables: [filesTable(recorder)], planner: (line) => lines.push(line) });
  engine.query("select * from test_files where path = '/etc/hosts'");
  assert.ok(lines.some((line) => /^xBestIndex test_files: .*pushed \[path =\]/.test(line)), lines.join('\n'));
  assert.ok(lines.some((line) => line.startsWith('xFilter test_files plan') && line.endsWith('[path = /etc/hosts]')), lines.join('\n'));
  engine.close();
});
