/**
 * The rows of an `_events` table: buffers' eventTableGenerator over the subscriber's ring (time/eid constraints are
 * a window that moves no cursor; otherwise the session's consumer drains, committing after delivery). Imported from
 * the light subpath so table declarations never load LMDB. Without a ring (no store), the table is empty.
 */
import type { EventRingApi } from '@quarry/buffers';
import { eventTableGenerator } from '@quarry/buffers/event-table';
import type { QueryContext, Row } from '@quarry/sql';

export function ringRows(ring: EventRingApi | undefined, context: QueryContext): Iterable<Row> {
  if (!ring) return [];
  return eventTableGenerator(ring)(context);
}
