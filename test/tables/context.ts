/**
 * A real QueryContext for calling table generators directly, as the engine builds one: constraints, the columns a
 * statement reads, and a session that records warnings. Used until every test runs SQL through the engine.
 */
import type { Constraint, ConstraintOperator, QueryContext, QuerySession, Row, SqlValue, TableDefinition } from '@quarry/sql';

export interface ContextOptions {
  /** '=' constraints by column, e.g. { pid: [1, 2] } (an IN list arrives as several '=' constraints). */
  readonly equals?: Record<string, readonly SqlValue[]>;
  /** Other constraints. */
  readonly constraints?: readonly Constraint[];
  /** Columns the statement reads; default every column of the table. */
  readonly columns?: readonly string[];
}

export interface TestSession extends QuerySession {
  readonly warnings: string[];
}

export function testSession(): TestSession {
  const warnings: string[] = [];
  return {
    consumer: 'test',
    peek: false,
    warnings,
    afterDelivery(commit) {
      commit();
    },
    warn(message) {
      warnings.push(message);
    },
  };
}

export function queryContext(table: TableDefinition, options: ContextOptions = {}, session = testSession()): QueryContext {
  const constraints: Constraint[] = [...(options.constraints ?? [])];
  for (const [column, values] of Object.entries(options.equals ?? {})) {
    for (const value of values) constraints.push({ column, operator: '=' as ConstraintOperator, value });
  }
  const columnsUsed = new Set(options.columns ?? table.columns.map((c) => c.name));
  return {
    table: table.name,
    constraints,
    columnsUsed,
    session,
    equals: (column) => constraints.filter((c) => c.column === column && c.operator === '=').map((c) => c.value),
    constraintsOn: (column) => constraints.filter((c) => c.column === column),
    isConstrained: (column) => constraints.some((c) => c.column === column),
  };
}

/** Every row of a table for the given options (and the session, to read its warnings). */
export function rowsOf(table: TableDefinition, options: ContextOptions = {}, session = testSession()): Row[] {
  return [...table.generate(queryContext(table, options, session))];
}
