// Model-based check: random sequences of appends (with time passing), commits, reads and windows against a plain
// in-memory model of the documented semantics (eids, expiry on append, events_max, cursors, lost).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventStore, type ReadBounds } from '@quarry/buffers';
import { tempDatabasePath } from './helpers.js';

type Command =
  | { kind: 'append'; rows: number; advance: number }
  | { kind: 'commit'; consumer: string; offset: number }
  | { kind: 'read'; consumer: string; bounds: ReadBounds }
  | { kind: 'peek'; bounds: ReadBounds };

const consumer = fc.constantFrom('a', 'b', 'c');
const bounds = fc.record(
  { timeFrom: fc.integer({ min: 0, max: 40 }), timeTo: fc.integer({ min: 0, max: 40 }), eidFrom: fc.integer({ min: 0, max: 80 }), eidTo: fc.integer({ min: 0, max: 80 }), limit: fc.integer({ min: 0, max: 10 }) },
  { requiredKeys: [] },
);
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), rows: fc.integer({ min: 1, max: 14 }), advance: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('commit' as const), consumer, offset: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ kind: fc.constant('read' as const), consumer, bounds }),
  fc.record({ kind: fc.constant('peek' as const), bounds }),
);

const EXPIRY = 6;
const MAX = 12;
const BASE = 1_000_000;

test('the ring behaves as its model', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), async (commands) => {
      let seconds = 0;
      const store = EventStore.open(tempDatabasePath('model'), {
        role: 'publisher', eventsExpiry: EXPIRY, eventsMax: MAX, expiryIntervalMs: 0, clock: () => (BASE + seconds) * 1000,
      });
      try {
        const ring = store.ring('model_events');
        let rows: Array<{ eid: number; time: number }> = [];
        let lastEid = 0;
        const cursors = new Map<string, { cursor: number; lost: number }>();
        const counters = { appended: 0, expired: 0, dropped: 0 };
        const charge = (removed: number[]) => {
          for (const record of cursors.values()) record.lost += removed.filter((eid) => eid > record.cursor).length;
        };
        const select = (from: number, b: ReadBounds) => {
          let out = rows.filter((r) => r.eid >= from
            && (b.eidFrom === undefined || r.eid >= b.eidFrom) && (b.eidTo === undefined || r.eid <= b.eidTo)
            && (b.timeFrom === undefined || r.time >= BASE + b.timeFrom) && (b.timeTo === undefined || r.time <= BASE + b.timeTo));
          if (b.limit !== undefined) out = out.slice(0, b.limit);
          return out.map((r) => r.eid);
        };
        const shift = (b: ReadBounds): ReadBounds => ({
          ...b,
          ...(b.timeFrom !== undefined ? { timeFrom: BASE + b.timeFrom } : {}),
          ...(b.timeTo !== undefined ? { timeTo: BASE + b.timeTo } : {}),
        });
        for (const c of commands) {
          if (c.kind === 'append') {
            seconds += c.advance;
            const time = BASE + seconds;
            const eids = await ring.append(Array.from({ length: c.rows }, (_, i) => ({ i })));
            const expected = Array.from({ length: c.rows }, (_, i) => lastEid + 1 + i);
            assert.deepEqual(eids, expected);
            lastEid += c.rows;
            counters.appended += c.rows;
            const skipped = Math.max(0, c.rows - MAX);
            counters.dropped += skipped;
            charge(expected.slice(0, skipped));
            rows.push(...expected.slice(skipped).map((eid) => ({ eid, time })));
            const expired = rows.filter((r) => r.time <= time - EXPIRY).map((r) => r.eid);
            rows = rows.filter((r) => r.time > time - EXPIRY);
            counters.expired += expired.length;
            charge(expired);
            if (rows.length > MAX) {
              const dropped = rows.slice(0, rows.length - MAX).map((r) => r.eid);
              rows = rows.slice(rows.length - MAX);
              counters.dropped += dropped.length;
              charge(dropped);
            }
          } else if (c.kind === 'commit') {
            const current = cursors.get(c.consumer)?.cursor ?? 0;
            const target = Math.max(0, current + c.offset);
            ring.commit(c.consumer, target);
            const record = cursors.get(c.consumer);
            const clamped = Math.min(target, lastEid);
            if (!record) cursors.set(c.consumer, { cursor: clamped, lost: 0 });
            else if (clamped > record.cursor) record.cursor = clamped;
          } else if (c.kind === 'read') {
            const from = (cursors.get(c.consumer)?.cursor ?? 0) + 1;
            assert.deepEqual(ring.read(c.consumer, shift(c.bounds)).map((r) => r.eid), select(from, c.bounds));
          } else {
            assert.deepEqual(ring.peek(shift(c.bounds)).map((r) => r.eid), select(0, c.bounds));
          }
          const stats = ring.stats();
          assert.equal(stats.rows, rows.length);
          assert.deepEqual({ appended: stats.appended, expired: stats.expired, dropped: stats.dropped }, counters);
          assert.equal(stats.oldestTime, rows[0]?.time ?? null);
          const modelConsumers = [...cursors].map(([name, r]) => ({
            consumer: name, cursor: r.cursor, lost: r.lost, lag: rows.filter((row) => row.eid > r.cursor).length,
          }));
          const sortByName = <T extends { consumer: string }>(list: T[]) => [...list].sort((x, y) => x.consumer.localeCompare(y.consumer));
          assert.deepEqual(sortByName(stats.consumers), sortByName(modelConsumers));
        }
      } finally {
        await store.close();
      }
    }),
    { numRuns: 150 },
  );
});
