// The authorizer: every write, DDL, ATTACH/DETACH and non-listed pragma is refused and nothing changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, QueryError, type TableDefinition } from '@quarry/sql';

const users: TableDefinition = {
  name: 'test_users',
  description: 'users',
  aliases: ['test_accounts'],
  columns: [
    { name: 'uid', type: 'BIGINT', index: true },
    { name: 'username', type: 'TEXT' },
  ],
  generate: () => [
    { uid: 0, username: 'root' },
    { uid: 1000, username: 'alice' },
  ],
};

const refused: Array<[string, string]> = [
  ["insert into test_users values (1, 'x')", 'INSERT'],
  ["update test_users set username = 'x'", 'UPDATE'],
  ['delete from test_users', 'DELETE'],
  ['create table t(a)', 'CREATE TABLE'],
  ['create temp table t(a)', 'CREATE TEMP TABLE'],
  ['create table t as select * from test_users', 'CREATE TABLE'],
  ['create view v as select 1', 'CREATE VIEW'],
  ['create temp view v as select 1', 'CREATE TEMP VIEW'],
  ['drop view test_accounts', 'DROP VIEW'],
  ['drop table test_users', 'DROP TABLE'],
  ['create index i on test_users(uid)', 'CREATE INDEX'],
  ['create trigger tr after insert on test_users begin select 1; end', 'CREATE TRIGGER'],
  ['create virtual table v using test_users', 'CREATE VIRTUAL TABLE'],
  ['alter table test_users rename to other', 'ALTER TABLE'],
  ["attach database ':memory:' as other", 'ATTACH'],
  ['detach database temp', 'DETACH'],
  ['pragma writable_schema = 1', 'PRAGMA writable_schema'],
  ['pragma foreign_keys = 1', 'PRAGMA foreign_keys'],
  ['pragma user_version = 5', 'PRAGMA user_version'],
  ['vacuum', 'VACUUM'],
  ['reindex', 'REINDEX'],
  ['analyze', 'ANALYZE'],
];

test('writes, DDL, ATTACH/DETACH and other pragmas are refused with a clear message', async () => {
  const engine = await Engine.create({ tables: [users] });
  const before = engine.query('select type, name from sqlite_temp_master union all select type, name from sqlite_master').rows;
  for (const [sql, what] of refused) {
    assert.throws(
      () => engine.query(sql),
      (error: unknown) => {
        assert.ok(error instanceof QueryError, sql);
        assert.equal(error.message, `not authorized: Quarry is read-only (${what} refused)`, sql);
        assert.equal(error.code, 23, sql);
        return true;
      },
      sql,
    );
  }
  assert.deepEqual(engine.query('select type, name from sqlite_temp_master union all select type, name from sqlite_master').rows, before, 'schema unchanged');
  assert.deepEqual(engine.query('select count(*) n from test_accounts').rows, [{ n: 2 }], 'alias view still there');
  engine.close();
});

test('load_extension is unavailable', async () => {
  const engine = await Engine.create({ tables: [] });
  assert.throws(() => engine.query("select load_extension('/tmp/x.so')"), (error: unknown) => error instanceof QueryError && /load_extension/.test(error.message));
  engine.close();
});

test('a refused statement in a batch stops the batch after earlier statements ran', async () => {
  const engine = await Engine.create({ tables: [users] });
  const seen: string[] = [];
  assert.throws(
    () => engine.execute('select 1 as a;\ninsert into test_users values (5, "x");\nselect 2 as b;', { onResult: (_r, s) => seen.push(s.sql) }),
    (error: unknown) => error instanceof QueryError && 'statement' in error && (error as { statement: { line: number } }).statement.line === 2,
  );
  assert.deepEqual(seen, ['select 1 as a;']);
  engine.close();
});

test('reading statements and the allowed pragmas run', async () => {
  const engine = await Engine.create({ tables: [users] });
  const info = engine.query('pragma table_info(test_users)').rows;
  assert.deepEqual(info.map((row) => [row.name, row.type]), [['uid', 'BIGINT'], ['username', 'TEXT']]);
  assert.ok(engine.query('pragma table_xinfo(test_users)').rows.length === 2);
  assert.ok(engine.query('pragma function_list').rows.some((row) => row.name === 'regex_match'));
  assert.ok(engine.query('pragma collation_list').rows.some((row) => row.name === 'VERSION_DPKG'));
  engine.query('pragma case_sensitive_like = 1');
  assert.deepEqual(engine.query("select count(*) n from test_users where username like 'ROOT'").rows, [{ n: 0 }]);
  engine.query('pragma case_sensitive_like = 0');
  assert.deepEqual(engine.query("select count(*) n from test_users where username like 'ROOT'").rows, [{ n: 1 }]);
  assert.ok(engine.query('pragma journal_mode').rows.length === 1);
  assert.deepEqual(engine.query('with recursive c(x) as (select 1 union all select x + 1 from c where x < 3) select sum(x) s from c').rows, [{ s: 6 }]);
  engine.close();
});
