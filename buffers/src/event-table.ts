/**
 * The source of every `_events` table: a generator over one ring.
 *
 * - A `time` or `eid` constraint (=, >, >=, <, <=) makes the query a window: the bounds are pushed down to the ring
 *   (a seek, not a scan) and the consumer's cursor does not move, as osquery does for time-constrained selects.
 *   SQLite re-checks every constraint, so the bounds only need to cover the answer.
 * - Without one, the query drains: the rows after the session consumer's cursor, and once they were delivered the
 *   cursor moves to the last of them (unless the session only peeks). A drain holds the consumer's drain lease
 *   (drain-lease.ts) from its first read until that commit, so two drains of one consumer never deliver a row twice.
 */
import type { Constraint, QueryContext, Row } from '@quarry/sql';
import type { EventRingApi, ReadBounds, StoredEvent } from './contract.js';
import { drainOwner } from './drain-lease.js';

const WINDOW_COLUMNS = new Set(['time', 'eid']);
const WINDOW_OPERATORS = new Set(['=', '>', '>=', '<', '<=']);

function numeric(value: Constraint['value']): number | undefined {
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** Bounds covering every row the time/eid constraints can accept, or undefined when none constrains time/eid. */
export function boundsFromConstraints(constraints: readonly Constraint[]): ReadBounds | undefined {
  const windowed = constraints.filter((c) => WINDOW_COLUMNS.has(c.column) && WINDOW_OPERATORS.has(c.operator));
  if (windowed.length === 0) return undefined;
  const range: Record<'time' | 'eid', { from: number; to: number; equals: number[] }> = {
    time: { from: -Infinity, to: Infinity, equals: [] },
    eid: { from: -Infinity, to: Infinity, equals: [] },
  };
  for (const constraint of windowed) {
    const value = numeric(constraint.value);
    if (value === undefined) continue; // SQLite still filters; the bound just is not narrowed.
    const r = range[constraint.column as 'time' | 'eid'];
    switch (constraint.operator) {
      case '=':
        r.equals.push(value);
        break;
      case '>':
        r.from = Math.max(r.from, Math.floor(value) + 1);
        break;
      case '>=':
        r.from = Math.max(r.from, Math.ceil(value));
        break;
      case '<':
        r.to = Math.min(r.to, Math.ceil(value) - 1);
        break;
      case '<=':
        r.to = Math.min(r.to, Math.floor(value));
        break;
    }
  }
  const bounds: ReadBounds = {};
  for (const column of ['time', 'eid'] as const) {
    const r = range[column];
    // IN (a, b) arrives as one '=' per value: the window spans them all.
    if (r.equals.length > 0) {
      r.from = Math.max(r.from, Math.ceil(Math.min(...r.equals)));
      r.to = Math.min(r.to, Math.floor(Math.max(...r.equals)));
    }
    const from = r.from === -Infinity ? undefined : r.from;
    const to = r.to === Infinity ? undefined : r.to;
    if (column === 'time') {
      if (from !== undefined) bounds.timeFrom = from;
      if (to !== undefined) bounds.timeTo = to;
    } else {
      if (from !== undefined) bounds.eidFrom = from;
      if (to !== undefined) bounds.eidTo = to;
    }
  }
  // An empty window (e.g. time > 5 AND time < 3) reads nothing.
  if ((bounds.timeFrom ?? -Infinity) > (bounds.timeTo ?? Infinity) || (bounds.eidFrom ?? -Infinity) > (bounds.eidTo ?? Infinity)) {
    return { eidFrom: 1, eidTo: 0 };
  }
  return bounds;
}

/** Rows are read from LMDB in chunks while SQLite steps, so a large drain never holds every row at once. */
const CHUNK_ROWS = 4096;

function* chunked(read: (bounds: ReadBounds) => StoredEvent[], bounds: ReadBounds, onRow: (eid: number) => void): Generator<Row> {
  let eidFrom = bounds.eidFrom;
  for (;;) {
    const rows = read({ ...bounds, eidFrom, limit: CHUNK_ROWS });
    for (const row of rows) {
      onRow(row.eid);
      yield row;
    }
    const last = rows[rows.length - 1];
    if (rows.length < CHUNK_ROWS || last === undefined) return;
    eidFrom = last.eid + 1;
  }
}

export function eventTableGenerator(ring: EventRingApi): (context: QueryContext) => Iterable<Row> {
  return (context) => {
    const columns = [...context.columnsUsed];
    const window = boundsFromConstraints(context.constraints);
    if (window !== undefined) return chunked((bounds) => ring.peek(bounds), { ...window, columns }, () => undefined);
    const session = context.session;
    const consumer = session.consumer;
    if (session.peek) return chunked((bounds) => ring.read(consumer, bounds), { columns }, () => undefined);
    // One drain per consumer at a time: the first chunk takes the consumer's lease (owned by this engine call, so a
    // self-join or a later statement of the same text shares it); committing after delivery moves the cursor and
    // gives the lease back in one transaction; a statement that fails or is not delivered gives it back at once.
    const owner = drainOwner(session.drainToken);
    let leased = false;
    // Only rows SQLite actually pulled count as delivered: `LIMIT 10` drains ten rows, the rest stay unread.
    let lastEid = 0;
    session.afterDelivery(() => {
      if (!leased) return;
      leased = false;
      if (lastEid > 0) ring.commit(consumer, lastEid, owner);
      else ring.releaseDrain(consumer, owner);
    });
    session.onAbandon?.(() => {
      if (!leased) return;
      leased = false;
      ring.releaseDrain(consumer, owner);
    });
    const read = (bounds: ReadBounds): StoredEvent[] => {
      if (!leased) {
        // A drain with nothing to deliver cannot duplicate anything: it answers from a read transaction, without
        // taking the lease (two LMDB write transactions), so polling an idle consumer stays read-only.
        if (lastEid === 0 && ring.read(consumer, { ...bounds, columns: [], limit: 1 }).length === 0) return [];
        ring.acquireDrain(consumer, owner);
        leased = true;
      }
      const rows = ring.read(consumer, bounds);
      if (rows.length === 0 && lastEid === 0) {
        // Nothing to deliver: the lease goes now (a drain that found nothing never blocks the next one).
        leased = false;
        ring.releaseDrain(consumer, owner);
      }
      return rows;
    };
    return chunked(read, { columns }, (eid) => {
      lastEid = eid;
    });
  };
}
