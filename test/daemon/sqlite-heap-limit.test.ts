/**
 * The watchdog memory limit also caps SQLite's own heap in each query worker (PRAGMA hard_heap_limit): a statement
 * that needs more fails alone as a memory stop, and the engine (and worker) go on. Real SQLite, real worker threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, QueryError } from '@quarry/sql';
import { QueryFailure, QueryPool } from '@quarry/daemon/pool/query-pool';

// ~80 MB of text built inside SQLite: group_concat keeps it all in SQLite's heap, not in JavaScript's.
const HUNGRY = 'with recursive c(x) as (select 1 union all select x + 1 from c limit 200000) select length(group_concat(hex(randomblob(200)))) as n from c';

test('an engine with heapLimitBytes fails a statement over it with SQLITE_NOMEM and keeps working', async () => {
  const unlimited = await Engine.create({ tables: [] });
  try {
    assert.equal(unlimited.query(HUNGRY).rows[0]!['n'], 200000 * 400 + 199999, 'without a ceiling the statement completes');
  } finally {
    unlimited.close();
  }
  const engine = await Engine.create({ tables: [], heapLimitBytes: 32 * 1024 * 1024 });
  try {
    assert.throws(() => engine.query(HUNGRY), (error: unknown) => error instanceof QueryError && error.code === 7 && /out of memory/i.test(error.message));
    assert.deepEqual(engine.query('select 40 + 2 as answer').rows, [{ answer: 42 }], 'the next statement runs');
    assert.throws(() => engine.query('pragma hard_heap_limit=0'), /not authorized: Quarry is read-only \(PRAGMA hard_heap_limit refused\)/, 'a query cannot lift the ceiling');
    assert.throws(() => engine.query(HUNGRY), /out of memory/, 'the ceiling still holds');
  } finally {
    engine.close();
  }
  await assert.rejects(Engine.create({ tables: [], heapLimitBytes: -1 }), /heapLimitBytes must be a whole number of bytes >= 0, got -1/);
});

test('a query worker stops a query over --watchdog_memory_limit in SQLite as a memory stop; the worker answers the next', async () => {
  const pool = new QueryPool({
    size: 1,
    init: {
      databasePath: '', openStore: false, readMax: 1 << 20, disableTables: '', enableTables: '', eventsEnabled: false,
      queryTimeoutMs: 60_000, rowCap: 1000, regexMaxSize: 256, sqliteHeapLimitMb: 32,
    },
    queueLimit: 4,
    deadlineMs: 0,
    memoryLimitMb: 200,
  });
  await pool.start();
  try {
    await assert.rejects(pool.run({ sql: HUNGRY }), (error: unknown) => {
      assert.ok(error instanceof QueryFailure, String(error));
      assert.equal(error.kind, 'memory');
      assert.equal(error.message, "Memory limits exceeded: the query's SQLite heap went over 32MB (--watchdog_memory_limit)");
      return true;
    });
    assert.equal(pool.stats().memoryStops, 1);
    assert.equal(pool.stats().respawns, 0, 'no worker had to be replaced');
    const next = await pool.run({ sql: 'select 6 * 7 as answer' });
    assert.deepEqual(next.rows, [{ answer: 42 }]);
  } finally {
    await pool.close();
  }
});
