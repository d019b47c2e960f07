/**
 * osquery's column-definition text: what `.schema` prints and what each virtual table declares to SQLite.
 * Format (reference 2.6): `(` + `` `name` TYPE[ HIDDEN][ COLLATE X] `` joined by `, ` + `, PRIMARY KEY (...)` when
 * any INDEX/ADDITIONAL column exists + `)` + ` WITHOUT ROWID` in that case.
 */
import type { ColumnDefinition, TableDefinition } from './table.js';

export function quoteIdentifier(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

export function columnText(column: ColumnDefinition): string {
  let text = `${quoteIdentifier(column.name)} ${column.type}`;
  if (column.hidden) text += ' HIDDEN';
  if (column.collate) text += ` COLLATE ${column.collate.toUpperCase()}`;
  return text;
}

/** The primary-key columns: INDEX + ADDITIONAL columns; only ADDITIONAL (no INDEX) → every column. */
function primaryKey(table: TableDefinition): readonly ColumnDefinition[] {
  const indexed = table.columns.filter((column) => column.index);
  const additional = table.columns.filter((column) => column.additional);
  if (indexed.length === 0 && additional.length === 0) return [];
  if (indexed.length === 0) return table.columns;
  return table.columns.filter((column) => column.index || column.additional);
}

/** `(<columns>[, PRIMARY KEY (...)])[ WITHOUT ROWID]`, osquery's columnDefinition. */
export function columnDefinition(table: TableDefinition): string {
  const parts = table.columns.map(columnText);
  const key = primaryKey(table);
  if (key.length > 0) parts.push(`PRIMARY KEY (${key.map((column) => quoteIdentifier(column.name)).join(', ')})`);
  return `(${parts.join(', ')})${key.length > 0 ? ' WITHOUT ROWID' : ''}`;
}

/** The `.schema` line for a table: `CREATE TABLE name(...)[ WITHOUT ROWID];`. */
export function schemaOf(table: TableDefinition): string {
  return `CREATE TABLE ${table.name}${columnDefinition(table)};`;
}

/** Checks a definition before it becomes a virtual table; every problem names the table and what to fix. */
export function validateDefinition(table: TableDefinition): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table.name)) {
    throw new Error(`Table name "${table.name}" is invalid: use letters, digits and underscores`);
  }
  if (table.columns.length === 0) throw new Error(`Table ${table.name} declares no columns`);
  const seen = new Set<string>();
  for (const column of table.columns) {
    const key = column.name.toLowerCase();
    if (seen.has(key)) throw new Error(`Table ${table.name} declares column ${column.name} twice`);
    seen.add(key);
    if (!['TEXT', 'INTEGER', 'BIGINT', 'UNSIGNED BIGINT', 'DOUBLE', 'BLOB'].includes(column.type)) {
      throw new Error(`Table ${table.name} column ${column.name} has unknown type ${String(column.type)}`);
    }
  }
  if (typeof table.generate !== 'function') throw new Error(`Table ${table.name} has no generate() function`);
  for (const alias of table.aliases ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias)) throw new Error(`Table ${table.name} alias "${alias}" is invalid`);
  }
}
