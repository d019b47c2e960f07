/** Engine.unregister: a table that goes away (an extension's) is unknown to SQL again and may come back. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, type TableDefinition } from '@quarry/sql';

const numbers = (name: string, values: number[]): TableDefinition => ({
  name,
  description: 'test numbers',
  columns: [{ name: 'n', type: 'INTEGER', index: true }],
  generate: (context) => {
    const wanted = context.equals('n');
    return values.filter((n) => wanted.length === 0 || wanted.includes(n)).map((n) => ({ n }));
  },
});

describe('Engine.unregister', () => {
  it('removes a table, forgets kept statements over it, and lets the name be registered again', async () => {
    const engine = await Engine.create({ tables: [numbers('keep_me', [1])] });
    try {
      engine.register(numbers('ext_numbers', [1, 2, 3]));
      assert.deepEqual(engine.query('select n from ext_numbers where n = 2').rows, [{ n: 2 }]);
      assert.deepEqual(engine.query('select count(*) as c from ext_numbers').rows, [{ c: 3 }]);
      assert.equal(engine.unregister('EXT_NUMBERS'), true);
      assert.equal(engine.unregister('ext_numbers'), false);
      assert.throws(() => engine.query('select count(*) as c from ext_numbers'), /no such table: ext_numbers/);
      assert.deepEqual(engine.tables().map((t) => t.name), ['keep_me']);
      assert.deepEqual(engine.query('select n from keep_me').rows, [{ n: 1 }]);
      engine.register(numbers('ext_numbers', [7, 8]));
      assert.deepEqual(engine.query('select count(*) as c from ext_numbers').rows, [{ c: 2 }]);
      assert.deepEqual(engine.query('select a.n from ext_numbers a join keep_me k on k.n = 1 where a.n = 8').rows, [{ n: 8 }]);
    } finally {
      engine.close();
    }
  });

  it('refuses a table with aliases (their views would be left behind)', async () => {
    const engine = await Engine.create({ tables: [{ ...numbers('aliased', [1]), aliases: ['other_name'] }] });
    try {
      assert.throws(() => engine.unregister('aliased'), /has aliases and cannot be removed/);
      assert.deepEqual(engine.query('select n from other_name').rows, [{ n: 1 }]);
    } finally {
      engine.close();
    }
  });
});
