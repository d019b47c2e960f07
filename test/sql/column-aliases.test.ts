import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, schemaOf, type QueryContext, type TableDefinition } from '@quarry/sql';

/** A table like process_events: `atime` also answers to osquery's deprecated name `access_time`. */
function aliasedTable(seen: QueryContext[]): TableDefinition {
  return {
    name: 'aliased',
    description: 'column alias test table',
    columns: [
      { name: 'pid', type: 'BIGINT', index: true },
      { name: 'atime', type: 'BIGINT', index: true, aliases: ['access_time'] },
    ],
    generate(context) {
      seen.push(context);
      return [
        { pid: 1, atime: 100 },
        { pid: 2, atime: 200 },
      ];
    },
  };
}

test('a column alias is a hidden column with the same values', async () => {
  const seen: QueryContext[] = [];
  const engine = await Engine.create({ tables: [aliasedTable(seen)] });
  try {
    assert.deepEqual(engine.query('select * from aliased').rows, [
      { pid: 1, atime: 100 },
      { pid: 2, atime: 200 },
    ]);
    assert.deepEqual(engine.query('select pid, access_time from aliased order by pid').rows, [
      { pid: 1, access_time: 100 },
      { pid: 2, access_time: 200 },
    ]);
    assert.match(schemaOf(engine.table('aliased')!), /`access_time` BIGINT HIDDEN/);
  } finally {
    engine.close();
  }
});

test('a constraint on the alias reaches the generator as a constraint on its column', async () => {
  const seen: QueryContext[] = [];
  const engine = await Engine.create({ tables: [aliasedTable(seen)] });
  try {
    assert.deepEqual(engine.query('select pid from aliased where access_time = 200').rows, [{ pid: 2 }]);
    const context = seen.at(-1)!;
    assert.deepEqual(context.equals('atime'), [200]);
    assert.equal(context.isConstrained('access_time'), false);
    assert.ok(context.columnsUsed.has('atime'));
  } finally {
    engine.close();
  }
});
