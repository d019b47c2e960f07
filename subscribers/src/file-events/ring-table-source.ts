/**
 * The generator of an `_events` table over a ring, as described in buffers/src/contract.ts: `time` and `eid`
 * constraints become read bounds; a peek reads without a consumer; otherwise the query's consumer drains and its
 * cursor moves only after delivery. Used until / unless buffers exports its own eventTableGenerator.
 */
import type { EventRingApi, ReadBounds, StoredEvent } from '@quarry/buffers';
import type { QueryContext, Row } from '@quarry/sql';

export function boundsFromContext(context: QueryContext): ReadBounds {
  const bounds: ReadBounds = {};
  for (const c of context.constraints) {
    if (c.column !== 'time' && c.column !== 'eid') continue;
    const value = Number(c.value);
    if (!Number.isFinite(value)) continue;
    const isTime = c.column === 'time';
    const from = isTime ? 'timeFrom' : 'eidFrom';
    const to = isTime ? 'timeTo' : 'eidTo';
    const raise = (v: number): void => {
      bounds[from] = Math.max(bounds[from] ?? -Infinity, v);
    };
    const lower = (v: number): void => {
      bounds[to] = Math.min(bounds[to] ?? Infinity, v);
    };
    if (c.operator === '=') {
      raise(value);
      lower(value);
    } else if (c.operator === '>') raise(Math.floor(value) + 1);
    else if (c.operator === '>=') raise(Math.ceil(value));
    else if (c.operator === '<') lower(Math.ceil(value) - 1);
    else if (c.operator === '<=') lower(Math.floor(value));
  }
  return bounds;
}

export function ringRows(ring: EventRingApi | undefined, context: QueryContext): Iterable<Row> {
  if (!ring) return [];
  const bounds = boundsFromContext(context);
  const { session } = context;
  let rows: StoredEvent[];
  if (session.peek) rows = ring.peek(bounds);
  else {
    rows = ring.read(session.consumer, bounds);
    // As osquery: a time (or eid) constraint reads a range and moves no cursor.
    if (Object.keys(bounds).length > 0) return rows as unknown as Row[];
    const last = rows.length > 0 ? rows[rows.length - 1]!.eid : 0;
    if (last > 0) session.afterDelivery(() => ring.commit(session.consumer, last));
  }
  return rows as unknown as Row[];
}
