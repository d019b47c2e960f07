/**
 * An `_events` table over a subscriber's ring: buffers' eventTableGenerator (time/eid constraints are a window that
 * moves no cursor; otherwise the session's consumer drains, committing after delivery). Imported from the light
 * subpath so table declarations never load LMDB. Without a ring (no store), the table is empty.
 */
import type { EventRingApi } from '@quarry/buffers';
import { eventTableGenerator } from '@quarry/buffers/event-table';
import type { ColumnDefinition, QueryContext, Row, TableDefinition } from '@quarry/sql';

export function ringRows(ring: EventRingApi | undefined, context: QueryContext): Iterable<Row> {
  if (!ring) return [];
  return eventTableGenerator(ring)(context);
}

/** The event-based TableDefinition every subscriber declares: its name, description and columns over its ring. */
export function ringEventTable(
  name: string,
  description: string,
  columns: readonly ColumnDefinition[],
  ring: EventRingApi | undefined,
): TableDefinition {
  return { name, description, columns, attributes: { eventBased: true }, generate: (context) => ringRows(ring, context) };
}
