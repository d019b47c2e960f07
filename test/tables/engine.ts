/** One real engine with every table of the system, users and processes groups, for tests that run SQL. */
import { Engine, type Row } from '@quarry/sql';
import { processesTables } from '@quarry/tables/processes/index';
import { systemTables } from '@quarry/tables/system/index';
import { usersTables } from '@quarry/tables/users/index';

export const engine = await Engine.create({ tables: [...systemTables, ...usersTables, ...processesTables] });

/** Rows of one statement. */
export function sql(text: string): Row[] {
  return engine.query(text).rows;
}

/** Rows and warnings of one statement. */
export function sqlWithWarnings(text: string): { rows: Row[]; warnings: readonly string[] } {
  const result = engine.query(text);
  return { rows: result.rows, warnings: result.warnings };
}

const literal = (value: string | number): string => (typeof value === 'number' ? String(value) : `'${value.replace(/'/g, "''")}'`);

/** `select <columns> from <table> [where col in (...) and ...]` through the engine. */
export function select(table: string, equals: Record<string, ReadonlyArray<string | number>> = {}, columns = '*'): Row[] {
  const terms = Object.entries(equals).map(([column, values]) => `${column} in (${values.map(literal).join(', ')})`);
  return sql(`select ${columns} from ${table}${terms.length > 0 ? ` where ${terms.join(' and ')}` : ''}`);
}
