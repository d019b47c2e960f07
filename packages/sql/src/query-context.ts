/** The QueryContext handed to a generator: the pushed constraints, the columns read and the session. */
import type { Constraint, ConstraintOperator, QueryContext, QuerySession, SqlValue } from './table.js';

/** SQLite's sqlite3_index_constraint.op values for the operators generators receive. */
export const OPERATOR_BY_CODE: ReadonlyMap<number, ConstraintOperator> = new Map<number, ConstraintOperator>([
  [2, '='],
  [4, '>'],
  [8, '<='],
  [16, '<'],
  [32, '>='],
  [65, 'LIKE'],
  [66, 'GLOB'],
]);

export class TableQueryContext implements QueryContext {
  constructor(
    readonly table: string,
    readonly constraints: readonly Constraint[],
    readonly columnsUsed: ReadonlySet<string>,
    readonly session: QuerySession,
  ) {}

  equals(column: string): SqlValue[] {
    const wanted = column.toLowerCase();
    return this.constraints
      .filter((constraint) => constraint.operator === '=' && constraint.column.toLowerCase() === wanted)
      .map((constraint) => constraint.value);
  }

  constraintsOn(column: string): Constraint[] {
    const wanted = column.toLowerCase();
    return this.constraints.filter((constraint) => constraint.column.toLowerCase() === wanted);
  }

  isConstrained(column: string): boolean {
    const wanted = column.toLowerCase();
    return this.constraints.some((constraint) => constraint.column.toLowerCase() === wanted);
  }
}
