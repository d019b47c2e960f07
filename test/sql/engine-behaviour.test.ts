// SQLite's own error messages, multi-statement execution, event-table warnings, afterDelivery hooks, aliases,
// schemaOf, columnsOf, isCompleteSql and late registration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, QueryError, StatementError, schemaOf, type TableDefinition } from '@quarry/sql';

const processes: TableDefinition = {
  name: 'test_processes',
  description: 'processes',
  aliases: ['test_procs'],
  columns: [
    { name: 'pid', type: 'BIGINT', index: true },
    { name: 'name', type: 'TEXT' },
    { name: 'cmdline', type: 'TEXT', hidden: true },
  ],
  generate: () => [
    { pid: 1, name: 'init', cmdline: '/sbin/init' },
    { pid: 42, name: 'sshd', cmdline: '/usr/sbin/sshd -D' },
  ],
};

function eventTable(log: string[]): TableDefinition {
  return {
    name: 'test_file_events',
    description: 'events',
    attributes: { eventBased: true },
    columns: [
      { name: 'target_path', type: 'TEXT' },
      { name: 'time', type: 'BIGINT', additional: true },
    ],
    generate(context) {
      log.push(`generate consumer=${context.session.consumer} peek=${context.session.peek}`);
      context.session.afterDelivery(() => log.push(`committed for ${context.session.consumer}`));
      return [{ target_path: '/etc/hosts', time: 100 }];
    },
  };
}

test("SQLite's own error messages are preserved", async () => {
  const engine = await Engine.create({ tables: [processes] });
  const message = (sql: string) => {
    try {
      engine.query(sql);
    } catch (error) {
      assert.ok(error instanceof QueryError);
      return `${error.code} ${error.message}`;
    }
    return 'no error';
  };
  assert.equal(message('selec 1'), '1 near "selec": syntax error');
  assert.equal(message('select * from foo'), '1 no such table: foo');
  assert.equal(message('select x from test_processes'), '1 no such column: x');
  assert.equal(message('select nosuchfunction(1)'), '1 no such function: nosuchfunction');
  engine.close();
});

test('execute runs every statement, reports each, and names the failing statement and line', async () => {
  const engine = await Engine.create({ tables: [processes] });
  const results = engine.execute('select 1 as a; -- comment\n select pid from test_processes where pid = 42;\n\n');
  assert.deepEqual(results.map((r) => r.rows), [[{ a: 1 }], [{ pid: 42 }]]);
  assert.deepEqual(engine.query('select 1 as a; select 2 as b').rows, [{ b: 2 }], 'query returns the last result');
  assert.deepEqual(engine.query('  -- nothing here\n').rows, []);
  const reported: Array<[string, number]> = [];
  try {
    engine.execute('select 1;\n\nselect 2;\n/* c */\nselec 3;\nselect 4;', { onResult: (_r, s) => reported.push([s.sql, s.line]) });
    assert.fail('expected an error');
  } catch (error) {
    assert.ok(error instanceof StatementError);
    assert.equal(error.message, 'near "selec": syntax error');
    assert.equal(error.statement.line, 5);
    assert.equal(error.completed.length, 2);
  }
  assert.deepEqual(reported, [['select 1;', 1], ['select 2;', 3]]);
  engine.close();
});

test('event tables warn when events are disabled and still run', async () => {
  const log: string[] = [];
  let enabled = false;
  const engine = await Engine.create({ tables: [eventTable(log)], eventsEnabled: () => enabled });
  const warnings: string[] = [];
  const result = engine.query('select * from test_file_events', { onWarning: (m) => warnings.push(m) });
  assert.deepEqual(result.warnings, ['Table test_file_events is event-based but events are disabled']);
  assert.deepEqual(warnings, result.warnings);
  assert.equal(result.rows.length, 1);
  enabled = true;
  assert.deepEqual(engine.query('select * from test_file_events').warnings, []);
  engine.close();
});

test('afterDelivery hooks run only on commit(), once, with the consumer and peek given', async () => {
  const log: string[] = [];
  const engine = await Engine.create({ tables: [eventTable(log)] });
  const result = engine.query('select * from test_file_events', { consumer: 'pack_fim', peek: true });
  assert.deepEqual(log, ['generate consumer=pack_fim peek=true']);
  result.commit();
  assert.deepEqual(log, ['generate consumer=pack_fim peek=true', 'committed for pack_fim']);
  result.commit();
  assert.equal(log.length, 2, 'commit is idempotent');
  log.length = 0;
  try {
    engine.query('select * from test_file_events; selec');
  } catch {
    // the failing second statement discards the first statement's result, so its hook never runs
  }
  assert.deepEqual(log, ['generate consumer=shell peek=false']);
  engine.close();
});

test('aliases are views over the table; tables()/table() resolve names', async () => {
  const engine = await Engine.create({ tables: [processes] });
  assert.deepEqual(engine.query('select name from test_procs where pid = 1').rows, [{ name: 'init' }]);
  assert.equal(engine.table('TEST_PROCS')?.name, 'test_processes');
  assert.equal(engine.table('nope'), undefined);
  assert.deepEqual(engine.tables().map((t) => t.name), ['test_processes']);
  assert.deepEqual(Object.keys(engine.query('select * from test_processes').rows[0]!), ['pid', 'name'], 'hidden columns are not in *');
  assert.deepEqual(engine.query('select cmdline from test_processes where pid = 42').rows, [{ cmdline: '/usr/sbin/sshd -D' }]);
  engine.close();
});

test('register() after create, duplicate names refused', async () => {
  const engine = await Engine.create({ tables: [] });
  engine.register(processes);
  assert.equal(engine.query('select count(*) c from test_processes').rows[0]!.c, 2);
  assert.throws(() => engine.register(processes), /Table test_processes is already registered/);
  assert.throws(() => engine.register({ ...processes, name: 'bad name' }), /Table name "bad name" is invalid/);
  engine.close();
});

test('schemaOf prints osquery .schema lines', () => {
  assert.equal(schemaOf(processes), 'CREATE TABLE test_processes(`pid` BIGINT, `name` TEXT, `cmdline` TEXT HIDDEN, PRIMARY KEY (`pid`)) WITHOUT ROWID;');
  const plain: TableDefinition = { name: 'uptime', description: '', columns: [{ name: 'days', type: 'INTEGER' }, { name: 'total_seconds', type: 'BIGINT' }], generate: () => [] };
  assert.equal(schemaOf(plain), 'CREATE TABLE uptime(`days` INTEGER, `total_seconds` BIGINT);');
  const additionalOnly: TableDefinition = {
    name: 'deb_packages',
    description: '',
    columns: [
      { name: 'name', type: 'TEXT' },
      { name: 'version', type: 'TEXT', collate: 'version_dpkg' },
      { name: 'admindir', type: 'TEXT', additional: true, hidden: false },
    ],
    generate: () => [],
  };
  assert.equal(
    schemaOf(additionalOnly),
    'CREATE TABLE deb_packages(`name` TEXT, `version` TEXT COLLATE VERSION_DPKG, `admindir` TEXT, PRIMARY KEY (`name`, `version`, `admindir`)) WITHOUT ROWID;',
  );
});

test('a declared collation applies to the column', async () => {
  const packages: TableDefinition = {
    name: 'test_packages',
    description: '',
    columns: [
      { name: 'name', type: 'TEXT', collate: 'nocase' },
      { name: 'version', type: 'TEXT', collate: 'version_dpkg' },
    ],
    generate: () => [
      { name: 'Bash', version: '5.2-1' },
      { name: 'zlib', version: '1:1.2' },
      { name: 'curl', version: '8.0~rc1' },
      { name: 'curl2', version: '8.0' },
    ],
  };
  const engine = await Engine.create({ tables: [packages] });
  assert.deepEqual(engine.query('select name from test_packages order by version').rows.map((r) => r.name), ['Bash', 'curl', 'curl2', 'zlib']);
  assert.deepEqual(engine.query("select name from test_packages where name = 'bash'").rows, [{ name: 'Bash' }]);
  engine.close();
});

test('columnsOf gives declared types or UNKNOWN', async () => {
  const engine = await Engine.create({ tables: [processes] });
  assert.deepEqual(engine.columnsOf('select pid, name, pid + 1 as next from test_processes'), [
    { name: 'pid', type: 'BIGINT' },
    { name: 'name', type: 'TEXT' },
    { name: 'next', type: 'UNKNOWN' },
  ]);
  assert.throws(() => engine.columnsOf('select * from missing'), /no such table: missing/);
  engine.close();
  assert.throws(() => engine.query('select 1'), /The SQL engine was closed/);
});

test('isCompleteSql (pure JS) agrees with SQLite sqlite3_complete on generated input', async () => {
  const { default: fc } = await import('fast-check');
  const { isCompleteSql, scanCompletion } = await import('@quarry/sql');
  // SQLite's own sqlite3_complete, straight from the wasm build, is the reference.
  const { loadSqlite } = await import('@quarry/sql/sqlite-runtime');
  const sqlite3 = await loadSqlite();
  const sqliteComplete = (sql: string): boolean => (sqlite3.capi.sqlite3_complete as (text: string) => number)(sql) !== 0;
  const pieces = ['select 1', ';', ' ', '\n', "'", '"', '`', '[', ']', '--', '/*', '*/', 'create', 'temp', 'trigger', 'end', 'explain', 'begin', 'x', '-', '/', 'é'];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 14 }), (parts) => {
      const sql = parts.join('');
      assert.equal(isCompleteSql(sql), sqliteComplete(sql), JSON.stringify(sql));
    }),
    { numRuns: 3000 },
  );
  for (const sql of ['create trigger t after insert on x begin select 1; end;', 'select 1; -- trailing', "select ';';"]) {
    assert.equal(isCompleteSql(sql), sqliteComplete(sql), sql);
  }
  assert.equal(isCompleteSql('select 1'), false);
  assert.equal(isCompleteSql('select 1;'), true);
  assert.equal(isCompleteSql("select ';"), false);
  // Scanning in pieces (the shell feeds one line at a time) agrees with scanning the whole text.
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 14 }), fc.nat(14), (parts, cut) => {
      const head = parts.slice(0, cut).join('');
      const whole = parts.join('');
      const first = scanCompletion(head);
      assert.equal(scanCompletion(whole, first.resume, first.state).complete, sqliteComplete(whole), JSON.stringify([head, whole]));
    }),
    { numRuns: 3000 },
  );
});

test('the text option renders values as osquery prints them', async () => {
  const engine = await Engine.create({ tables: [processes] });
  const row = engine.query("select 2.0 as d, 1.0/3 as third, 9223372036854775807 as big, null as n, 'é' as t, x'6869' as b, pid from test_processes where pid = 42", { text: true }).rows[0];
  assert.deepEqual(row, { d: '2.0', third: '0.333333333333333', big: '9223372036854775807', n: null, t: 'é', b: 'hi', pid: '42' });
  engine.close();
});
