// The engine's prepared-statement cache (EngineOptions.statementCacheSize): a statement kept for its exact SQL text
// gives the same results as a fresh one, calls the generator on every execution, gets a fresh QuerySession each
// time, recovers after an interrupt / deadline, survives register(), stays bounded, never keeps a write, and is
// finalized by close(). Whether a call prepared (xBestIndex ran) or reused is observed through the --planner hook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, QueryError, type Row, type TableDefinition } from '@quarry/sql';
import { loadSqlite } from '@quarry/sql/sqlite-runtime';

/** Counts the xBestIndex lines SQLite's planner emitted: > 0 means the statement was prepared on this call. */
function plannerCounter(): { planner: (line: string) => void; prepares(): number } {
  let count = 0;
  return {
    planner: (line) => {
      if (line.startsWith('xBestIndex')) count++;
    },
    prepares: () => {
      const seen = count;
      count = 0;
      return seen;
    },
  };
}

/** A table whose rows the test changes between calls; records every generator call with its constraints. */
function changingTable() {
  const state = { rows: [{ id: 1, name: 'one' }] as Row[], calls: [] as string[] };
  const table: TableDefinition = {
    name: 'test_changing',
    description: 'rows change between calls',
    columns: [
      { name: 'id', type: 'INTEGER', index: true },
      { name: 'name', type: 'TEXT' },
    ],
    *generate(context) {
      state.calls.push(context.constraints.map((c) => `${c.column}${c.operator}${String(c.value)}`).join(','));
      const wanted = context.constraintsOn('id').map((c) => c.value);
      for (const row of state.rows) if (wanted.length === 0 || wanted.includes(row.id as number)) yield row;
    },
  };
  return { state, table };
}

/** A required-column table: it only answers when `path = …` reaches it (so a lost plan would fail loudly). */
const files: TableDefinition = {
  name: 'test_files',
  description: 'needs a path',
  columns: [
    { name: 'path', type: 'TEXT', required: true },
    { name: 'size', type: 'BIGINT' },
  ],
  *generate(context) {
    for (const c of context.constraintsOn('path')) yield { path: c.value as string, size: String(c.value).length };
  },
};

test('a reused statement gives the same results and calls the generator every time', async () => {
  const { state, table } = changingTable();
  const counter = plannerCounter();
  const engine = await Engine.create({ tables: [table], planner: counter.planner });
  const sql = 'select id, name from test_changing where id in (1, 2) order by id;';
  assert.deepEqual(engine.query(sql).rows, [{ id: 1, name: 'one' }]);
  assert.ok(counter.prepares() > 0, 'first call prepares');
  state.rows.push({ id: 2, name: 'two' }, { id: 3, name: 'three' });
  const again = engine.query(sql);
  assert.equal(counter.prepares(), 0, 'second call reuses the prepared statement');
  assert.deepEqual(again.rows, [{ id: 1, name: 'one' }, { id: 2, name: 'two' }], 'rows added since are seen');
  assert.deepEqual(again.columns, [{ name: 'id', type: 'INTEGER' }, { name: 'name', type: 'TEXT' }]);
  state.rows = [{ id: 2, name: 'deux' }];
  assert.deepEqual(engine.query(sql, { text: true }).rows, [{ id: '2', name: 'deux' }]);
  assert.deepEqual(state.calls, ['id=1,id=2', 'id=1,id=2', 'id=1,id=2'], 'one generator call per execution, IN list pushed each time');
  // The same statement with the cache off gives exactly what the cached one gives.
  const uncached = await Engine.create({ tables: [table], statementCacheSize: 0 });
  assert.deepEqual(uncached.query(sql).rows, engine.query(sql).rows);
  assert.equal(uncached.cachedStatementCount(), 0);
  uncached.close();
  engine.close();
});

test('plans survive other statements in between (a required column keeps reaching the table)', async () => {
  const counter = plannerCounter();
  const engine = await Engine.create({ tables: [files], planner: counter.planner });
  const sql = "select size from test_files where path = '/etc/hosts'";
  assert.deepEqual(engine.query(sql).rows, [{ size: 10 }]);
  for (let i = 0; i < 5; i++) engine.query(`select size from test_files where path = '/tmp/${'x'.repeat(i)}'`);
  counter.prepares();
  assert.deepEqual(engine.query(sql).rows, [{ size: 10 }]);
  assert.equal(counter.prepares(), 0);
  engine.close();
});

test('each execution gets its own session: consumer, peek and afterDelivery hooks', async () => {
  const events = [{ n: 1 }, { n: 2 }, { n: 3 }];
  const cursors = new Map<string, number>();
  const seen: string[] = [];
  const ring: TableDefinition = {
    name: 'test_ring_events',
    description: 'drains per consumer',
    columns: [{ name: 'n', type: 'INTEGER' }],
    attributes: { eventBased: true },
    *generate(context) {
      const { consumer, peek } = context.session;
      seen.push(`${consumer}:${peek}`);
      const from = cursors.get(consumer) ?? 0;
      const end = events.length;
      if (!peek) context.session.afterDelivery(() => cursors.set(consumer, end));
      yield* events.slice(from);
    },
  };
  const counter = plannerCounter();
  const engine = await Engine.create({ tables: [ring], planner: counter.planner });
  const drain = 'SELECT * FROM test_ring_events';
  const first = engine.query(drain, { consumer: 'http' });
  assert.deepEqual(first.rows.map((r) => r.n), [1, 2, 3]);
  assert.deepEqual(engine.query(drain, { consumer: 'http' }).rows.map((r) => r.n), [1, 2, 3], 'no commit, no cursor move');
  assert.equal(counter.prepares() > 0, true);
  first.commit();
  assert.deepEqual(engine.query(drain, { consumer: 'http' }).rows, [], 'commit moved the http cursor');
  assert.deepEqual(engine.query(drain, { consumer: 'pack' }).rows.map((r) => r.n), [1, 2, 3], 'another consumer starts at 0');
  const peeked = engine.query(drain, { consumer: 'pack', peek: true });
  peeked.commit();
  assert.deepEqual(engine.query(drain, { consumer: 'pack' }).rows.length, 3, 'a peek never moves the cursor');
  events.push({ n: 4 });
  const later = engine.query(drain, { consumer: 'http' });
  assert.deepEqual(later.rows.map((r) => r.n), [4]);
  later.commit();
  assert.equal(counter.prepares(), 0, 'every drain after the first reused the statement');
  assert.deepEqual(seen, ['http:false', 'http:false', 'http:false', 'pack:false', 'pack:true', 'pack:false', 'http:false']);
  assert.equal(cursors.get('http'), 4);
  assert.equal(cursors.get('pack'), undefined, 'pack never committed');
  engine.close();
});

test('an interrupted statement, then the same text runs normally', async () => {
  let engine: Engine | undefined;
  let interruptNext = true;
  const calls: number[] = [];
  const numbers: TableDefinition = {
    name: 'test_numbers',
    description: 'counts up; may interrupt its own query',
    columns: [{ name: 'n', type: 'INTEGER' }],
    *generate() {
      calls.push(1);
      for (let n = 0; n < 5000; n++) {
        if (n === 10 && interruptNext) engine!.interrupt();
        yield { n };
      }
    },
  };
  const counter = plannerCounter();
  engine = await Engine.create({ tables: [numbers], planner: counter.planner });
  const sql = 'select n from test_numbers';
  assert.throws(() => engine.query(sql), (error: unknown) => error instanceof QueryError && error.code === 9 && error.message === 'interrupted');
  counter.prepares();
  interruptNext = false;
  const rows = engine.query(sql).rows;
  assert.equal(counter.prepares(), 0, 'reused after the interrupt');
  assert.equal(rows.length, 5000);
  assert.deepEqual(rows[0], { n: 0 });
  assert.deepEqual(rows[4999], { n: 4999 });
  assert.equal(calls.length, 2);
  engine.close();
});

test('a statement stopped by the deadline, then the same text runs normally', async () => {
  let slow = true;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const numbers: TableDefinition = {
    name: 'test_slow_numbers',
    description: 'slow on demand',
    columns: [{ name: 'n', type: 'INTEGER' }],
    *generate() {
      for (let n = 0; n < 3000; n++) {
        if (slow) Atomics.wait(pause, 0, 0, 1);
        yield { n };
      }
    },
  };
  const counter = plannerCounter();
  const engine = await Engine.create({ tables: [numbers], queryTimeoutMs: 150, planner: counter.planner });
  const sql = 'select count(*) c, sum(n) s from test_slow_numbers';
  assert.throws(() => engine.query(sql), /Query exceeded the deadline of 0.15 seconds/);
  counter.prepares();
  slow = false;
  assert.deepEqual(engine.query(sql).rows, [{ c: 3000, s: (2999 * 3000) / 2 }]);
  assert.equal(counter.prepares(), 0);
  // A generator error: the statement is rewound too and the next run is clean.
  const failing: TableDefinition = {
    name: 'test_flaky',
    description: 'throws on demand',
    columns: [{ name: 'v', type: 'TEXT' }],
    *generate() {
      yield { v: 'a' };
      if (slow) throw new Error('flaky source broke');
      yield { v: 'b' };
    },
  };
  engine.register(failing);
  slow = true;
  assert.throws(() => engine.query('select v from test_flaky'), /flaky source broke/);
  slow = false;
  assert.deepEqual(engine.query('select v from test_flaky').rows, [{ v: 'a' }, { v: 'b' }]);
  engine.close();
});

test('register() after a statement was kept: kept statements still run, the new table is found', async () => {
  const counter = plannerCounter();
  const engine = await Engine.create({ tables: [files], planner: counter.planner });
  const kept = "select size from test_files where path = '/bin/sh'";
  assert.deepEqual(engine.query(kept).rows, [{ size: 7 }]);
  assert.throws(() => engine.query('select * from test_later'), /no such table: test_later/);
  assert.throws(() => engine.query('select * from test_later_alias'), /no such table: test_later_alias/);
  // Aliases are TEMP VIEWs: registering one changes the schema, so kept statements re-prepare (with new plans).
  engine.register({
    name: 'test_later',
    description: 'registered after the first queries',
    aliases: ['test_later_alias'],
    columns: [{ name: 'x', type: 'INTEGER' }],
    *generate() {
      yield { x: 42 };
    },
  });
  assert.deepEqual(engine.query('select * from test_later').rows, [{ x: 42 }]);
  assert.deepEqual(engine.query('select * from test_later_alias').rows, [{ x: 42 }]);
  assert.deepEqual(engine.query(kept).rows, [{ size: 7 }], 'the kept statement re-prepared and its required column still reaches the table');
  for (let i = 0; i < 3; i++) engine.query(`select size from test_files where path = '${i}'`);
  counter.prepares();
  assert.deepEqual(engine.query(kept).rows, [{ size: 7 }]);
  assert.deepEqual(engine.query('select * from test_later').rows, [{ x: 42 }]);
  assert.equal(counter.prepares(), 0, 'both reused');
  engine.close();
});

test('the cache is bounded and drops the least recently used statement', async () => {
  const { table } = changingTable();
  const counter = plannerCounter();
  const engine = await Engine.create({ tables: [table], planner: counter.planner, statementCacheSize: 2 });
  const text = (id: number) => `select name from test_changing where id = ${id}`;
  const prepared = (sql: string) => {
    counter.prepares();
    engine.query(sql);
    return counter.prepares() > 0;
  };
  assert.equal(prepared(text(1)), true);
  assert.equal(prepared(text(2)), true);
  assert.equal(prepared(text(1)), false, '1 kept');
  assert.equal(prepared(text(3)), true, '3 pushes out 2, the least recently used');
  assert.equal(engine.cachedStatementCount(), 2);
  assert.equal(prepared(text(1)), false, '1 still kept');
  assert.equal(prepared(text(2)), true, '2 was dropped');
  for (let id = 10; id < 60; id++) engine.query(text(id));
  assert.equal(engine.cachedStatementCount(), 2);
  // Multi-statement texts are never kept; a trailing `;` and whitespace still count as one statement.
  const multi = `${text(1)}; ${text(2)}`;
  assert.equal(prepared(multi), true);
  assert.equal(prepared(multi), true, 'a multi-statement text prepares every time');
  assert.equal(prepared(`  ${text(7)} ;  \n`), true);
  assert.equal(prepared(`  ${text(7)} ;  \n`), false);
  await assert.rejects(Engine.create({ tables: [], statementCacheSize: -1 }), /statementCacheSize must be a whole number of statements/);
  engine.close();
});

test('writes are refused on every call and never kept', async () => {
  const engine = await Engine.create({ tables: [files] });
  const writes = [
    'create table t(a int)',
    'create temp view v as select 1',
    "insert into test_files(path) values ('x')",
    'pragma writable_schema=1',
    'vacuum',
    "attach ':memory:' as other",
    'drop view if exists no_such_view',
  ];
  for (let round = 0; round < 3; round++) {
    for (const sql of writes) {
      assert.throws(
        () => engine.query(sql),
        (error: unknown) => error instanceof QueryError && error.code === 23 && /not authorized: Quarry is read-only/.test(error.message),
        `${sql} (round ${round + 1})`,
      );
    }
  }
  assert.equal(engine.cachedStatementCount(), 0, 'no write was kept');
  assert.deepEqual(engine.query("select name from sqlite_temp_master where type = 'view'").rows, []);
  assert.throws(() => engine.query('select * from t'), /no such table: t/);
  engine.close();
});

test('close() finalizes every kept statement (SQLite frees the database)', async () => {
  const sqlite3 = await loadSqlite();
  // sqlite3_status(SQLITE_STATUS_MEMORY_USED): bytes SQLite has allocated, process-wide.
  const memoryUsed = () => {
    const out = sqlite3.wasm.alloc(8);
    try {
      assert.equal(sqlite3.wasm.exports.sqlite3_status(0, out, out + 4, 0), 0);
      return sqlite3.wasm.peek32(out) as number;
    } finally {
      sqlite3.wasm.dealloc(out);
    }
  };
  const { table } = changingTable();
  // Warm up sqlite-wasm's own one-time allocations with a throwaway engine.
  const warm = await Engine.create({ tables: [table] });
  warm.query('select * from test_changing');
  warm.close();
  const before = memoryUsed();
  const engine = await Engine.create({ tables: [table, files] });
  for (let id = 0; id < 40; id++) engine.query(`select name from test_changing where id = ${id}`);
  engine.query("select size from test_files where path = 'a'");
  assert.equal(engine.cachedStatementCount(), 41);
  assert.ok(memoryUsed() > before);
  engine.close();
  assert.equal(memoryUsed(), before, 'every statement finalized, so the database closed and freed its memory');
  assert.equal(engine.cachedStatementCount(), 0);
  assert.throws(() => engine.query('select 1'), /The SQL engine was closed/);
});
