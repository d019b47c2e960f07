// Values crossing the virtual-table bridge and coming back as result rows: the fast paths (per-column encoded
// text slots, strings reused from the generator or the previous row, compiled row builders after the first rows)
// must give exactly what the generator produced, for any text, any row count and any column names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Engine, type Row, type TableDefinition } from '@quarry/sql';

/** A table serving whatever rows the test sets. */
function mutableTable(name: string): { table: TableDefinition; set(rows: Row[]): void } {
  let rows: Row[] = [];
  return {
    table: {
      name,
      description: 'rows set by the test',
      columns: [
        { name: 's', type: 'TEXT' },
        { name: 'n', type: 'BIGINT' },
        { name: 't', type: 'TEXT' },
      ],
      generate: () => rows,
    },
    set(next) {
      rows = next;
    },
  };
}

/** Own properties in order, duplicates last-wins, `__proto__` as a plain key: what a result row must look like. */
function expectedRow(names: readonly string[], values: readonly unknown[]): Row {
  const row: Row = {};
  names.forEach((name, i) => Object.defineProperty(row, name, { value: values[i], writable: true, enumerable: true, configurable: true }));
  return row;
}

test('any text and integers come back exactly as generated (both row builders, text mode too)', async () => {
  const source = mutableTable('bridge_values');
  const engine = await Engine.create({ tables: [source.table] });
  try {
    // Full Unicode (no lone surrogates: those are not representable as UTF-8). A leading U+FEFF is dropped as a
    // byte-order mark, as TextDecoder does, so generated text avoids it.
    const text = fc.string({ unit: 'binary', maxLength: 80 }).filter((s) => !s.startsWith('\ufeff'));
    const repeated = fc.constantFrom('', 'CREATED', 'monitor_this', 'd41d8cd98f00b204e9800998ecf8427e', 'é');
    const row = fc.record({ s: fc.oneof(text, repeated), n: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), t: fc.oneof(repeated, text) });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 150 }), (rows) => {
        source.set(rows);
        const result = engine.query('select * from bridge_values');
        assert.deepEqual(result.rows, rows.map((r) => ({ s: r.s, n: r.n, t: r.t })));
        const asText = engine.query('select t, n, s from bridge_values', { text: true });
        assert.deepEqual(asText.rows, rows.map((r) => ({ t: r.t, n: String(r.n), s: r.s })));
        // ORDER BY: rows leave SQLite's sorter long after the generator delivered them.
        const sorted = engine.query('select s from bridge_values order by rowid desc');
        assert.deepEqual(sorted.rows, [...rows].reverse().map((r) => ({ s: r.s })));
      }),
      { numRuns: 60 },
    );
  } finally {
    engine.close();
  }
});

test("empty strings stay '' (not NULL) on every path, and NULL stays NULL", async () => {
  const source = mutableTable('bridge_empty');
  const engine = await Engine.create({ tables: [source.table] });
  try {
    const rows: Row[] = Array.from({ length: 200 }, (_, i) => ({ s: i % 3 === 0 ? '' : `x${i}`, n: i, t: i % 2 === 0 ? null : '' }));
    source.set(rows);
    const result = engine.query('select s, t, length(s) as ls, t is null as tn from bridge_empty');
    assert.deepEqual(
      result.rows,
      rows.map((r) => ({ s: r.s, t: r.t, ls: (r.s as string).length, tn: r.t === null ? 1 : 0 })),
    );
  } finally {
    engine.close();
  }
});

test('a self-join pairs the right values although both sides share one table', async () => {
  const source = mutableTable('bridge_join');
  const engine = await Engine.create({ tables: [source.table] });
  try {
    const rows: Row[] = Array.from({ length: 12 }, (_, i) => ({ s: `left-${i}`, n: i, t: i % 4 === 0 ? 'same' : `right-${i}` }));
    source.set(rows);
    const result = engine.query('select a.s as a_s, b.t as b_t, a.t as a_t, b.s as b_s from bridge_join a, bridge_join b');
    const expected = rows.flatMap((a) => rows.map((b) => ({ a_s: a.s, b_t: b.t, a_t: a.t, b_s: b.s })));
    assert.deepEqual(result.rows, expected);
  } finally {
    engine.close();
  }
});

test('long text grows the column buffers and short text after it is still exact', async () => {
  const source = mutableTable('bridge_long');
  const engine = await Engine.create({ tables: [source.table] });
  try {
    const rows: Row[] = [
      { s: 'short', n: 1, t: 'a' },
      { s: 'ü'.repeat(70_000), n: 2, t: 'b'.repeat(100_000) },
      { s: 'short again', n: 3, t: '' },
      { s: '𝄞 clef '.repeat(5_000), n: 4, t: 'a' },
    ];
    source.set(rows);
    const result = engine.query('select * from bridge_long');
    assert.deepEqual(result.rows, rows);
  } finally {
    engine.close();
  }
});

test('column names of any spelling become plain properties, on the first rows and on later ones alike', async () => {
  const source = mutableTable('bridge_names');
  const engine = await Engine.create({ tables: [source.table] });
  try {
    const rows: Row[] = Array.from({ length: 100 }, (_, i) => ({ s: `s${i}`, n: i, t: `t${i}` }));
    source.set(rows);
    const result = engine.query(
      `select s as "__proto__", n as "1", t as "a""b\nc", s as dup, n as dup, t as "constructor", null as "é" from bridge_names`,
    );
    assert.deepEqual(
      result.columns.map((column) => column.name),
      ['__proto__', '1', 'a"b\nc', 'dup', 'dup', 'constructor', 'é'],
    );
    const names = result.columns.map((column) => column.name);
    const expected = rows.map((r) => expectedRow(names, [r.s, r.n, r.t, r.s, r.n, r.t, null]));
    assert.equal(result.rows.length, expected.length);
    result.rows.forEach((row, i) => {
      assert.equal(Object.getPrototypeOf(row), Object.prototype, `row ${i} keeps its prototype`);
      assert.deepEqual(Object.entries(row), Object.entries(expected[i]!), `row ${i}`);
    });
  } finally {
    engine.close();
  }
});
