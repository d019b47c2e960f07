/**
 * osquery's column aliases: `CREATE TABLE` gets one extra HIDDEN column per alias, rows carry the target column's
 * value under the alias name too, and constraints on an alias reach the generator as constraints on its target.
 * Tables without aliases pass through untouched.
 */
import { TableQueryContext } from './query-context.js';
import type { ColumnDefinition, QueryContext, Row, TableDefinition } from './table.js';

export function withColumnAliases(definition: TableDefinition): TableDefinition {
  const targetOf = new Map<string, string>();
  const aliasColumns: ColumnDefinition[] = [];
  for (const column of definition.columns) {
    for (const alias of column.aliases ?? []) {
      targetOf.set(alias.toLowerCase(), column.name);
      aliasColumns.push({
        name: alias,
        type: column.type,
        hidden: true,
        index: column.index,
        additional: column.additional,
        description: `Alias of ${column.name}`,
      });
    }
  }
  if (aliasColumns.length === 0) return definition;
  const pairs = [...targetOf].map(([alias, target]) => [aliasColumns.find((c) => c.name.toLowerCase() === alias)!.name, target] as const);
  const target = (name: string): string => targetOf.get(name.toLowerCase()) ?? name;
  return {
    ...definition,
    columns: [...definition.columns, ...aliasColumns],
    *generate(context: QueryContext): Iterable<Row> {
      const translated = new TableQueryContext(
        context.table,
        context.constraints.map((constraint) => ({ ...constraint, column: target(constraint.column) })),
        new Set([...context.columnsUsed].map(target)),
        context.session,
      );
      for (const row of definition.generate(translated)) {
        for (const [alias, column] of pairs) row[alias] = row[column];
        yield row;
      }
    },
  };
}
