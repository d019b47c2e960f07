/**
 * A table plugin's route info (osquery's column list: `{id: "column", name, type, op}` maps, plus optional alias and
 * attribute entries) checked and turned into Quarry column definitions. Anything malformed is refused with a message
 * naming the table and the entry, so a bad registration changes nothing.
 */
import type { ColumnDefinition, ColumnType } from '@quarry/sql';
import type { PluginResponse } from './wire-types.js';

/** A column of an extension table, as it travels to the engines (plain data). */
export interface ExtensionColumn {
  readonly name: string;
  readonly type: ColumnType;
  /** osquery's ColumnOptions bits from the route's `op`. */
  readonly options: number;
}

const TYPES: readonly ColumnType[] = ['TEXT', 'INTEGER', 'BIGINT', 'UNSIGNED BIGINT', 'DOUBLE', 'BLOB'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_COLUMNS = 1000;
/** ColumnOptions bits. */
export const ColumnOption = { INDEX: 1, REQUIRED: 2, ADDITIONAL: 4, OPTIMIZED: 8, HIDDEN: 16 } as const;

export class RouteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouteError';
  }
}

export function isValidTableName(name: string): boolean {
  return NAME.test(name) && name.length <= 128;
}

/** The columns a table's routes declare; throws RouteError naming what is wrong. */
export function tableColumns(table: string, routes: PluginResponse): ExtensionColumn[] {
  if (!isValidTableName(table)) throw new RouteError(`Table name '${table}' is not a valid SQL name (letters, digits and _, not starting with a digit)`);
  const columns: ExtensionColumn[] = [];
  const seen = new Set<string>();
  routes.forEach((route, i) => {
    const id = route['id'];
    if (id === 'alias' || id === 'columnAlias' || id === 'attributes') return;
    if (id !== 'column') throw new RouteError(`route ${i} of table ${table} has id '${id ?? ''}'; expected column, alias, columnAlias or attributes`);
    const name = route['name'] ?? '';
    if (!NAME.test(name)) throw new RouteError(`column ${i} of table ${table} has the name '${name}', which is not a valid SQL name`);
    if (seen.has(name.toLowerCase())) throw new RouteError(`table ${table} declares column ${name} twice`);
    seen.add(name.toLowerCase());
    const type = (route['type'] ?? '').toUpperCase() as ColumnType;
    if (!TYPES.includes(type)) throw new RouteError(`column ${name} of table ${table} has the type '${route['type'] ?? ''}'; expected one of ${TYPES.join(', ')}`);
    const op = route['op'] ?? '0';
    if (!/^\d{1,5}$/.test(op)) throw new RouteError(`column ${name} of table ${table} has op '${op}'; expected osquery's ColumnOptions as a decimal integer`);
    columns.push({ name, type, options: Number(op) });
  });
  if (columns.length === 0) throw new RouteError(`table ${table} declares no columns`);
  if (columns.length > MAX_COLUMNS) throw new RouteError(`table ${table} declares ${columns.length} columns (at most ${MAX_COLUMNS})`);
  return columns;
}

/**
 * Quarry's column definitions. With osquery's --extensions_default_index (true) every column is an index column, so
 * constraints on any column reach the extension (SQLite still checks every row against the WHERE clause).
 */
export function columnDefinitions(columns: readonly ExtensionColumn[], defaultIndex: boolean): ColumnDefinition[] {
  return columns.map((column) => ({
    name: column.name,
    type: column.type,
    index: defaultIndex || (column.options & ColumnOption.INDEX) !== 0,
    required: (column.options & ColumnOption.REQUIRED) !== 0,
    additional: (column.options & ColumnOption.ADDITIONAL) !== 0,
    optimized: (column.options & ColumnOption.OPTIMIZED) !== 0,
    hidden: (column.options & ColumnOption.HIDDEN) !== 0,
  }));
}

/** Route info for a table's columns, as `call(table, name, {action: columns})` answers. */
export function columnRoutes(columns: ReadonlyArray<{ name: string; type: string; options?: number }>): PluginResponse {
  return columns.map((column) => ({ id: 'column', name: column.name, type: column.type, op: String(column.options ?? 0) }));
}
