/**
 * One subscriber's buffer: a named LMDB sub-database of rows keyed by eid, plus its bookkeeping. Exactly-once
 * delivery (lease, fresh snapshot, cursor move and lease release in one write transaction, kill -9) is argued in
 * buffers/EXACTLY-ONCE.md.
 *
 * Layout (all in the environment EventStore opens; key and value encodings in lmdb-table.ts):
 * - `events:<subscriber>`: eid (8-byte big-endian) → [time, value of column 0, value of column 1, ...] (msgpack).
 *   Column names are kept once, in the ring's meta record, so a row holds only its values.
 * - `rings`: subscriber → RingMeta (last eid, last time, row count, counters, column names).
 * - `cursors`: subscriber \0 consumer → { consumer, cursor, lost }.
 * - `leases`: subscriber \0 consumer → the drain lease (drain-lease.ts): who drains that consumer right now.
 *
 * Every public call is one LMDB transaction: reads begin a read transaction on the newest committed state (so a
 * read always sees what other processes committed before it began) and end it before returning; writes are one
 * write transaction, committed before the call returns.
 *
 * Time seeks without scanning: `time` is the time the row was stored, and it never decreases within a ring (a
 * clock stepping back stamps rows with the last stored time until it catches up), so eid order is time order. Rows
 * leave only from the oldest end, so a time bound becomes an eid bound by a binary search over the eid key space
 * (each probe is one B-tree seek). `rowsTouched` counts the rows decoded, probes included.
 */
import type { Environment, Transaction } from 'node-liblmdb';
import type { ConsumerStats, EventRingApi, EventRow, ReadBounds, RingStats, StoredEvent, StoredValue } from './contract.js';
import { checkStoredConsumerName, ConsumerLimitError } from './consumer-names.js';
import {
  checkDrainOwner,
  DrainBusyError,
  isDrainLease,
  isDrainLeaseLive,
  leaseAfterAcquire,
  leaseAfterRelease,
  sameDrainOwner,
  type DrainLease,
  type DrainOwner,
} from './drain-lease.js';
import { eidKey, LmdbTable, msgpack, pairPrefix } from './lmdb-table.js';
import type { AppendFaults } from './append-faults.js';

export interface RingMeta {
  lastEid: number;
  lastTime: number;
  rows: number;
  appended: number;
  expired: number;
  dropped: number;
  columns: string[];
}

export interface CursorRecord {
  cursor: number;
  lost: number;
}

/** A cursor as stored: the record and the consumer's full name (a long name's key is hashed). */
export interface StoredCursor extends CursorRecord {
  consumer: string;
}

/** A lease as stored: the lease and the consumer's full name. */
export type StoredLease = DrainLease & { consumer: string };

type EncodedRow = StoredValue[];

/** What a ring needs from the store that opened it. */
export interface RingEnvironment {
  readonly env: Environment;
  readonly rings: LmdbTable<string, RingMeta>;
  readonly cursors: LmdbTable<[string, string], StoredCursor>;
  readonly leases: LmdbTable<[string, string], StoredLease>;
  /** How long a drain lease lasts without being given back (ms). */
  readonly drainLeaseMs: number;
  readonly role: 'publisher' | 'consumer';
  readonly path: string;
  readonly eventsExpiry: number;
  readonly eventsMax: number;
  /** Consumers (cursors) one ring keeps at most; a new one beyond it is refused. */
  readonly maxConsumers: number;
  /** Where appends that could not be stored are counted (by reason) and reported once per outage. */
  readonly faults: AppendFaults;
  nowMs(): number;
  assertOpen(): void;
}

const RESERVED_COLUMNS = new Set(['time', 'eid']);
const rowCodec = msgpack<EncodedRow>();

function emptyMeta(): RingMeta {
  return { lastEid: 0, lastTime: 0, rows: 0, appended: 0, expired: 0, dropped: 0, columns: [] };
}

const checkConsumer: (consumer: unknown) => asserts consumer is string = checkStoredConsumerName;

function normalizeValue(value: unknown, column: string, index: number): StoredValue {
  if (value === undefined || value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'bigint':
      return value;
    case 'number':
      return Number.isNaN(value) ? null : value;
    case 'boolean':
      return value ? 1 : 0;
    default:
      throw new TypeError(
        `Row ${index} column ${column} holds a ${typeof value}; buffered rows hold strings, numbers, bigints or null`,
      );
  }
}

/** Number of sorted `keys` strictly greater than `cursor`. */
function countAfter(keys: readonly number[], cursor: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as number) <= cursor) lo = mid + 1;
    else hi = mid;
  }
  return keys.length - lo;
}

function withoutConsumer({ consumer: _consumer, ...lease }: StoredLease): DrainLease {
  return lease;
}

export class EventRing implements EventRingApi {
  /** Rows decoded by reads and seeks since this object was created (a measure that time bounds seek). */
  rowsTouched = 0;
  private readonly rowsDb: LmdbTable<number, EncodedRow>;

  constructor(
    readonly subscriber: string,
    private readonly storage: RingEnvironment,
  ) {
    this.rowsDb = new LmdbTable(storage.env, `events:${subscriber}`, eidKey, rowCodec);
    const exists = storage.env.read((txn) => storage.rings.get(txn, subscriber) !== undefined);
    if (!exists) {
      storage.env.write((txn) => {
        if (storage.rings.get(txn, subscriber) === undefined) storage.rings.put(txn, subscriber, emptyMeta());
      });
    }
  }

  append(rows: EventRow[]): Promise<number[]> {
    try {
      return Promise.resolve(this.appendSync(rows));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** append(), synchronously: the rows are committed when it returns. */
  appendSync(rows: readonly EventRow[]): number[] {
    this.storage.assertOpen();
    if (this.storage.role !== 'publisher') {
      throw new Error(
        `Cannot append to ${this.subscriber}: database ${this.storage.path} was opened as a consumer; only its publisher appends`,
      );
    }
    if (!Array.isArray(rows)) throw new TypeError(`append(rows) expects an array of rows for ${this.subscriber}`);
    if (rows.length === 0) return [];
    const encoded = this.encodeRows(rows);
    let eids: number[];
    try {
      eids = this.storage.env.write((txn) => this.appendInTransaction(txn, encoded.rows, encoded.columns));
    } catch (error) {
      // disk full, read-only storage: counted by reason, reported once per outage, rethrown as a clear error
      throw this.storage.faults.failed(this.subscriber, rows.length, error);
    }
    this.storage.faults.stored(this.subscriber);
    return eids;
  }

  /** Encodes rows as value arrays against the ring's column list (new columns are appended to a copy of it). */
  private encodeRows(rows: readonly EventRow[]): { rows: EncodedRow[]; columns: string[] } {
    const columns = [...this.storage.env.read((txn) => this.meta(txn).columns)];
    const columnIndex = new Map(columns.map((name, index) => [name, index]));
    const encoded = rows.map((row, rowIndex) => {
      if (typeof row !== 'object' || row === null) {
        throw new TypeError(`Row ${rowIndex} appended to ${this.subscriber} is not an object`);
      }
      const values: EncodedRow = [0];
      // Object.keys, not Object.entries: no [key, value] pair array per column (rows of one table share a
      // shape, so V8 serves the keys from its enum cache).
      const record = row as Record<string, unknown>;
      for (const column of Object.keys(record)) {
        const value = record[column];
        if (RESERVED_COLUMNS.has(column)) continue;
        let index = columnIndex.get(column);
        if (index === undefined) {
          index = columns.length;
          columns.push(column);
          columnIndex.set(column, index);
        }
        values[index + 1] = normalizeValue(value, column, rowIndex);
      }
      for (let i = 1; i < values.length; i++) if (values[i] === undefined) values[i] = null;
      return values;
    });
    return { rows: encoded, columns };
  }

  private appendInTransaction(txn: Transaction, encoded: EncodedRow[], columns: string[]): number[] {
    const meta = this.meta(txn);
    // Only the publisher appends, so the column list read before this transaction is still the stored one (plus
    // this batch's new columns, added at its end).
    meta.columns = columns;
    const nowSeconds = Math.floor(this.storage.nowMs() / 1000);
    const time = Math.max(nowSeconds, meta.lastTime);
    const eids: number[] = [];
    const max = this.storage.eventsMax;
    // Rows of this batch that would be dropped at once by events_max are counted, never written.
    const skipped = max > 0 && encoded.length > max ? encoded.length - max : 0;
    for (let i = 0; i < encoded.length; i++) {
      const eid = ++meta.lastEid;
      eids.push(eid);
      if (i < skipped) continue;
      const values = encoded[i] as EncodedRow;
      values[0] = time;
      this.rowsDb.put(txn, eid, values);
    }
    meta.lastTime = time;
    meta.appended += encoded.length;
    meta.rows += encoded.length - skipped;
    if (skipped > 0) {
      meta.dropped += skipped;
      this.chargeLost(txn, eids.slice(0, skipped));
    }
    this.expireInTransaction(txn, meta, nowSeconds);
    this.dropInTransaction(txn, meta);
    this.storage.rings.put(txn, this.subscriber, meta);
    return eids;
  }

  /** Removes rows older than events_expiry (time <= now - expiry). Returns how many went. Publisher only. */
  expire(): number {
    this.storage.assertOpen();
    if (this.storage.role !== 'publisher' || this.storage.eventsExpiry <= 0) return 0;
    return this.storage.env.write((txn) => {
      const meta = this.meta(txn);
      const removed = this.expireInTransaction(txn, meta, Math.floor(this.storage.nowMs() / 1000));
      if (removed > 0) this.storage.rings.put(txn, this.subscriber, meta);
      return removed;
    });
  }

  read(consumer: string, bounds: ReadBounds = {}): StoredEvent[] {
    checkConsumer(consumer);
    this.storage.assertOpen();
    // One read transaction begun now: the newest state every process committed, cursor and rows from one snapshot.
    return this.storage.env.read((txn) => {
      const cursor = this.storage.cursors.get(txn, [this.subscriber, consumer])?.cursor ?? 0;
      return this.scan(txn, { ...bounds, eidFrom: Math.max(bounds.eidFrom ?? 0, cursor + 1) });
    });
  }

  commit(consumer: string, eid: number, release?: DrainOwner): void {
    checkConsumer(consumer);
    this.storage.assertOpen();
    const target = typeof eid === 'bigint' ? Number(eid) : eid;
    if (typeof target !== 'number' || !Number.isInteger(target) || target < 0) {
      throw new TypeError(`commit(${consumer}, eid) expects a non-negative integer eid, got ${String(eid)}`);
    }
    if (release !== undefined) checkDrainOwner(release);
    try {
      this.moveCursor(consumer, target, release);
    } catch (error) {
      // The cursor could not move (e.g. the consumer limit): the rows come again next time, and the lease goes now.
      if (release !== undefined) {
        try {
          this.releaseDrain(consumer, release);
        } catch {
          // it expires
        }
      }
      throw error;
    }
  }

  private moveCursor(consumer: string, target: number, release: DrainOwner | undefined): void {
    this.storage.env.write((txn) => {
      const lastEid = this.meta(txn).lastEid;
      const key: [string, string] = [this.subscriber, consumer];
      const record = this.storage.cursors.get(txn, key);
      const cursor = Math.min(target, lastEid);
      if (record === undefined) {
        const max = this.storage.maxConsumers;
        const count = max > 0 ? this.countConsumers(txn) : 0;
        if (max > 0 && count >= max) {
          throw new ConsumerLimitError(
            `Ring ${this.subscriber} already keeps ${count} consumers (the limit is ${max}); ` +
              `consumer ${JSON.stringify(consumer)} is not added: reuse an existing consumer name, or drop stale consumers ` +
              '(EventRing.dropConsumer) first',
          );
        }
        this.storage.cursors.put(txn, key, { consumer, cursor, lost: 0 });
      } else if (cursor > record.cursor) this.storage.cursors.put(txn, key, { consumer, cursor, lost: record.lost });
      // The lease goes in the transaction that moves the cursor: the next drain starts after these rows.
      if (release !== undefined) this.releaseInTransaction(txn, key, release);
    });
  }

  /**
   * Takes one hold of `consumer`'s drain lease for `owner` (renewing its expiry). Throws DrainBusyError, reading
   * nothing, when another live owner holds it. Call before read(); give it back with commit(…, owner) or releaseDrain.
   */
  acquireDrain(consumer: string, owner: DrainOwner): void {
    checkConsumer(consumer);
    checkDrainOwner(owner);
    this.storage.assertOpen();
    const key: [string, string] = [this.subscriber, consumer];
    const holder = this.storage.env.write((txn) => {
      const next = leaseAfterAcquire(this.leaseOf(txn, key), owner, this.storage.nowMs(), this.storage.drainLeaseMs);
      if ('holder' in next) return next.holder;
      this.storage.leases.put(txn, key, { ...next.lease, consumer });
      return undefined;
    });
    if (holder !== undefined) throw new DrainBusyError(this.subscriber, consumer, holder.pid);
  }

  /** Gives back one hold `owner` has on `consumer`'s lease (nothing when it holds none). */
  releaseDrain(consumer: string, owner: DrainOwner): void {
    checkConsumer(consumer);
    checkDrainOwner(owner);
    this.storage.assertOpen();
    const key: [string, string] = [this.subscriber, consumer];
    this.storage.env.write((txn) => this.releaseInTransaction(txn, key, owner));
  }

  /**
   * Extends the expiry of the lease `owner` holds (a long-lived drain such as an event stream). False when `owner`
   * no longer holds it (it expired and another drain took it over).
   */
  renewDrain(consumer: string, owner: DrainOwner): boolean {
    checkConsumer(consumer);
    checkDrainOwner(owner);
    this.storage.assertOpen();
    const key: [string, string] = [this.subscriber, consumer];
    return this.storage.env.write((txn) => {
      const stored = this.leaseOf(txn, key);
      if (!isDrainLease(stored) || !sameDrainOwner(stored, owner)) return false;
      this.storage.leases.put(txn, key, { ...stored, consumer, expiresAt: this.storage.nowMs() + this.storage.drainLeaseMs });
      return true;
    });
  }

  /** The live lease on `consumer`'s drain, if any (stale ones read as none). */
  drainLease(consumer: string): DrainLease | undefined {
    checkConsumer(consumer);
    this.storage.assertOpen();
    const stored = this.storage.env.read((txn) => this.leaseOf(txn, [this.subscriber, consumer]));
    return isDrainLease(stored) && isDrainLeaseLive(stored, this.storage.nowMs()) ? stored : undefined;
  }

  /** Every consumer of this ring being drained right now, with its live lease (stale leases are left out). */
  liveDrainLeases(): Map<string, DrainLease> {
    this.storage.assertOpen();
    const stored = this.storage.env.read((txn) => [...this.storage.leases.range(txn, pairPrefix(this.subscriber))].map((entry) => entry.value));
    const now = this.storage.nowMs();
    const live = new Map<string, DrainLease>();
    for (const value of stored) {
      if (isDrainLease(value) && isDrainLeaseLive(value, now)) live.set(value.consumer, withoutConsumer(value));
    }
    return live;
  }

  private leaseOf(txn: Transaction, key: [string, string]): DrainLease | undefined {
    const stored = this.storage.leases.get(txn, key);
    return stored === undefined ? undefined : withoutConsumer(stored);
  }

  private releaseInTransaction(txn: Transaction, key: [string, string], owner: DrainOwner): void {
    const next = leaseAfterRelease(this.leaseOf(txn, key), owner);
    if ('keep' in next) this.storage.leases.put(txn, key, { ...next.keep, consumer: key[1] });
    else if ('remove' in next) this.storage.leases.del(txn, key);
  }

  peek(bounds: ReadBounds = {}): StoredEvent[] {
    this.storage.assertOpen();
    return this.storage.env.read((txn) => this.scan(txn, bounds));
  }

  stats(): RingStats {
    this.storage.assertOpen();
    const stats = this.storage.env.read((txn): RingStats => {
      const meta = this.meta(txn);
      const first = this.rowsDb.firstKey(txn);
      const oldest = first === undefined ? undefined : this.rowsDb.get(txn, first);
      const newest = meta.rows > 0 ? this.rowsDb.get(txn, meta.lastEid) : undefined;
      const consumers: ConsumerStats[] = this.cursorRecords(txn).map((record) => ({
        consumer: record.consumer,
        cursor: record.cursor,
        // Stored eids are contiguous (rows leave only from the oldest end), so the lag is arithmetic.
        lag: Math.max(0, Math.min(meta.rows, meta.lastEid - record.cursor)),
        lost: record.lost,
      }));
      return {
        subscriber: this.subscriber,
        rows: meta.rows,
        oldestTime: oldest === undefined ? null : Number(oldest[0]),
        newestTime: newest === undefined ? null : Number(newest[0]),
        appended: meta.appended,
        expired: meta.expired,
        dropped: meta.dropped,
        consumers,
      };
    });
    const failed = this.storage.faults.droppedBy(this.subscriber);
    return { ...stats, droppedBy: { events_max: stats.dropped, ...failed } };
  }

  private meta(txn: Transaction): RingMeta {
    return this.storage.rings.get(txn, this.subscriber) ?? emptyMeta();
  }

  private timeAt(txn: Transaction, eid: number): { eid: number; time: number } | undefined {
    for (const { key, value } of this.rowsDb.range(txn, { start: eidKey.encode(eid), limit: 1 })) {
      this.rowsTouched++;
      return { eid: key, time: Number(value[0]) };
    }
    return undefined;
  }

  /** Smallest eid in [lo, hi) whose row's time satisfies `past` (monotonic in eid), or hi. */
  private seekTime(txn: Transaction, lo: number, hi: number, past: (time: number) => boolean): number {
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const found = this.timeAt(txn, mid);
      if (found === undefined || found.eid >= hi || past(found.time)) hi = mid;
      else lo = found.eid + 1;
    }
    return lo;
  }

  private scan(txn: Transaction, bounds: ReadBounds): StoredEvent[] {
    const meta = this.meta(txn);
    if (meta.rows === 0) return [];
    const first = this.rowsDb.firstKey(txn);
    if (first === undefined) return [];
    let from = Math.max(first, Math.ceil(bounds.eidFrom ?? 0));
    let to = Math.min(meta.lastEid, Math.floor(bounds.eidTo ?? meta.lastEid));
    if (from > to) return [];
    if (bounds.timeFrom !== undefined) {
      const timeFrom = bounds.timeFrom;
      from = this.seekTime(txn, from, to + 1, (time) => time >= timeFrom);
    }
    if (bounds.timeTo !== undefined && from <= to) {
      const timeTo = bounds.timeTo;
      to = this.seekTime(txn, from, to + 1, (time) => time > timeTo) - 1;
    }
    if (from > to) return [];
    const limit = bounds.limit !== undefined && bounds.limit >= 0 ? bounds.limit : undefined;
    const wanted = bounds.columns === undefined ? undefined : new Set(bounds.columns);
    const names: string[] = [];
    const slots: number[] = [];
    meta.columns.forEach((name, index) => {
      if (wanted === undefined || wanted.has(name)) {
        names.push(name);
        slots.push(index + 1);
      }
    });
    const rows: StoredEvent[] = [];
    const range = { start: eidKey.encode(from), end: eidKey.encode(to + 1), ...(limit !== undefined ? { limit } : {}) };
    this.rowsDb.scan(txn, range, (key, span) => {
      this.rowsTouched++;
      const value = rowCodec.decodeSpan(span);
      const row: Record<string, StoredValue> = {};
      for (let i = 0; i < names.length; i++) row[names[i] as string] = value[slots[i] as number] ?? null;
      row.time = Number(value[0]);
      row.eid = eidKey.decodeSpan(key);
      rows.push(row as StoredEvent);
    });
    return rows;
  }

  /**
   * Forgets a consumer's cursor (and lost count) in this ring; its next read starts from the oldest stored row.
   * Returns whether it existed. For consumers nobody uses any more (the ring keeps at most maxConsumers).
   */
  dropConsumer(consumer: string): boolean {
    checkConsumer(consumer);
    this.storage.assertOpen();
    return this.storage.env.write((txn) => this.storage.cursors.del(txn, [this.subscriber, consumer]));
  }

  private countConsumers(txn: Transaction): number {
    let count = 0;
    for (const _key of this.storage.cursors.rawRange(txn, pairPrefix(this.subscriber))) count++;
    return count;
  }

  /** This ring's consumers only: a range over its own keys, not a scan of every ring's cursors. */
  private cursorRecords(txn: Transaction): StoredCursor[] {
    return [...this.storage.cursors.range(txn, pairPrefix(this.subscriber))].map((entry) => entry.value);
  }

  /** Every consumer whose cursor was before a removed row lost it. */
  private chargeLost(txn: Transaction, removedEids: readonly number[]): void {
    if (removedEids.length === 0) return;
    const lastRemoved = removedEids[removedEids.length - 1] as number;
    for (const record of this.cursorRecords(txn)) {
      if (record.cursor >= lastRemoved) continue; // read past every removed row: nothing lost
      const lost = countAfter(removedEids, record.cursor);
      if (lost > 0) this.storage.cursors.put(txn, [this.subscriber, record.consumer], { ...record, lost: record.lost + lost });
    }
  }

  private removeOldest(txn: Transaction, meta: RingMeta, endExclusive: number | undefined, count: number | undefined): number[] {
    const range = endExclusive === undefined ? { limit: count ?? 0 } : { end: eidKey.encode(endExclusive) };
    const keys = [...this.rowsDb.keysIn(txn, range)];
    for (const key of keys) this.rowsDb.del(txn, key);
    meta.rows -= keys.length;
    this.chargeLost(txn, keys);
    return keys;
  }

  private expireInTransaction(txn: Transaction, meta: RingMeta, nowSeconds: number): number {
    const expiry = this.storage.eventsExpiry;
    if (expiry <= 0 || meta.rows === 0) return 0;
    const cutoff = nowSeconds - expiry;
    const first = this.rowsDb.firstKey(txn);
    if (first === undefined) return 0;
    const oldest = this.timeAt(txn, first);
    if (oldest === undefined || oldest.time > cutoff) return 0;
    const end = this.seekTime(txn, first, meta.lastEid + 1, (time) => time > cutoff);
    const removed = this.removeOldest(txn, meta, end, undefined).length;
    meta.expired += removed;
    return removed;
  }

  private dropInTransaction(txn: Transaction, meta: RingMeta): number {
    const max = this.storage.eventsMax;
    if (max <= 0 || meta.rows <= max) return 0;
    const removed = this.removeOldest(txn, meta, undefined, meta.rows - max).length;
    meta.dropped += removed;
    return removed;
  }
}
