// Deadline, row cap, runaway recursive CTEs, sleep() bounded by the deadline, interrupt() and cross-thread cancel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { Engine, QueryError, type TableDefinition } from '@quarry/sql';

const RUNAWAY = 'with recursive c(x) as (select 1 union all select x+1 from c)';

const numbers: TableDefinition = {
  name: 'test_numbers',
  description: 'counts up',
  columns: [{ name: 'n', type: 'INTEGER' }],
  *generate() {
    for (let n = 0; n < 5000; n++) yield { n };
  },
};

test('a statement past the deadline fails with the --query_timeout error', async () => {
  const engine = await Engine.create({ tables: [], queryTimeoutMs: 300 });
  const start = performance.now();
  assert.throws(
    () => engine.query(`${RUNAWAY} select count(*) from c`),
    (error: unknown) =>
      error instanceof QueryError && error.code === 9 && error.message.startsWith('Query exceeded the deadline of 0.3 seconds (--query_timeout)'),
  );
  const elapsed = performance.now() - start;
  assert.ok(elapsed < 3000, `stopped promptly (${elapsed.toFixed(0)} ms)`);
  assert.deepEqual(engine.query('select 1 as still_works').rows, [{ still_works: 1 }]);
  engine.close();
});

test('a runaway recursive CTE ends at the row cap with a clear error', async () => {
  const engine = await Engine.create({ tables: [], rowCap: 10_000 });
  assert.throws(
    () => engine.query(`${RUNAWAY} select x from c`),
    (error: unknown) =>
      error instanceof QueryError && /more than 10000 rows, the row cap \(a recursive CTE without a terminating condition\?\)/.test(error.message),
  );
  engine.close();
});

test('the row cap applies to virtual tables and LIMIT stays under it', async () => {
  const engine = await Engine.create({ tables: [numbers], rowCap: 1000 });
  assert.throws(() => engine.query('select * from test_numbers'), /more than 1000 rows, the row cap; narrow it with WHERE or LIMIT/);
  assert.equal(engine.query('select * from test_numbers limit 1000').rows.length, 1000);
  assert.deepEqual(engine.query('select count(*) c from test_numbers').rows, [{ c: 5000 }]);
  engine.close();
});

test('sleep() never sleeps past the deadline', async () => {
  const engine = await Engine.create({ tables: [], queryTimeoutMs: 200 });
  const start = performance.now();
  assert.throws(() => engine.query('select sleep(30)'), /Query exceeded the deadline of 0.2 seconds/);
  assert.ok(performance.now() - start < 2000);
  assert.deepEqual(engine.query('select sleep(0.01) s').rows, [{ s: 0.01 }]);
  engine.close();
});

test('interrupt() called while a statement runs cancels it and the rest of the batch', async () => {
  let engine: Engine | undefined;
  let produced = 0;
  const ticking: TableDefinition = {
    name: 'test_ticking',
    description: 'interrupts its own query',
    columns: [{ name: 'n', type: 'INTEGER' }],
    *generate() {
      for (let n = 0; n < 1_000_000; n++) {
        produced++;
        if (n === 100) engine!.interrupt();
        yield { n };
      }
    },
  };
  engine = await Engine.create({ tables: [ticking] });
  const seen: string[] = [];
  assert.throws(
    () => engine!.execute('select count(*) from test_ticking; select 2;', { onResult: (_r, s) => seen.push(s.sql) }),
    (error: unknown) => error instanceof QueryError && error.message === 'interrupted' && error.code === 9,
  );
  assert.ok(produced < 10_000, `stopped soon after the interrupt (${produced} rows produced)`);
  assert.deepEqual(seen, []);
  assert.deepEqual(engine.query('select 3 as next').rows, [{ next: 3 }], 'the next call runs normally');
  engine.close();
});

test('interruptSignal set from another thread cancels the running statement', async () => {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const engine = await Engine.create({ tables: [], interruptSignal: signal });
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const flag = new Int32Array(workerData);
     setTimeout(() => { Atomics.store(flag, 0, 1); }, 150);`,
    { eval: true, workerData: signal.buffer },
  );
  const start = performance.now();
  assert.throws(() => engine.query(`${RUNAWAY} select count(*) from c`), /: interrupted$/);
  const elapsed = performance.now() - start;
  assert.ok(elapsed >= 100 && elapsed < 5000, `cancelled by the other thread after ${elapsed.toFixed(0)} ms`);
  await worker.terminate();
  engine.close();
});
