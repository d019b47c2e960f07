/**
 * osquery's JSON query context, as an extension's table plugin receives it in `call(table, name, {action: generate,
 * context})`: `{"constraints":[{"name":col,"list":[{"op":2,"expr":"value"}],"affinity":"TEXT"}],"colsUsed":[...],
 * "colsUsedBitset":N}`, one constraints entry per column (an empty list when the column is unconstrained).
 */
import type { ColumnDefinition, ConstraintOperator, QueryContext, SqlValue } from '@quarry/sql';

/** SQLite's constraint operator values, which osquery's JSON context carries. */
const OPERATOR_CODES: Record<ConstraintOperator, number> = { '=': 2, '>': 4, '<=': 8, '<': 16, '>=': 32, LIKE: 65, GLOB: 66 };

function text(value: SqlValue): string {
  if (value === null) return '';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return String(value);
}

export function queryContextJson(columns: readonly ColumnDefinition[], context: QueryContext): string {
  const constraints = columns.map((column) => ({
    name: column.name,
    list: context.constraintsOn(column.name).map((c) => ({ op: OPERATOR_CODES[c.operator], expr: text(c.value) })),
    affinity: column.type,
  }));
  const used: string[] = [];
  let bitset = 0n;
  columns.forEach((column, i) => {
    if (context.columnsUsed.has(column.name)) {
      used.push(column.name);
      bitset |= 1n << BigInt(i);
    }
  });
  return `{"constraints":${JSON.stringify(constraints)},"colsUsed":${JSON.stringify(used)},"colsUsedBitset":${bitset.toString()}}`;
}
