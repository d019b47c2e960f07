/**
 * The buffer contract, shared by the buffers implementation (event-store.ts, event-ring.ts), the subscribers that
 * append to it, and the event table source that drains it. Rows are plain objects of column → value.
 */
import type { DrainOwner } from './drain-lease.js';

export type { DrainOwner } from './drain-lease.js';
export type StoredValue = string | number | bigint | null;
export type EventRow = Record<string, StoredValue>;

/** A row as stored: the subscriber's columns plus `time` (unix seconds it was stored) and `eid` (monotonic). */
export interface StoredEvent extends EventRow {
  time: number;
  eid: number;
}

/** Time / eid bounds pushed down from SQL constraints. Inclusive. */
export interface ReadBounds {
  timeFrom?: number;
  timeTo?: number;
  eidFrom?: number;
  eidTo?: number;
  /** Stop after this many rows (the engine's row cap). */
  limit?: number;
  /** Only these columns are needed (time and eid always come); the others are left out of the rows. */
  columns?: readonly string[];
}

export interface ConsumerStats {
  consumer: string;
  /** Last eid this consumer committed (0: nothing yet). */
  cursor: number;
  /** Rows stored after its cursor. */
  lag: number;
  /** Rows dropped or expired before this consumer read them. */
  lost: number;
}

export interface RingStats {
  subscriber: string;
  rows: number;
  oldestTime: number | null;
  newestTime: number | null;
  appended: number;
  expired: number;
  dropped: number;
  /**
   * Rows dropped since this process opened the store, by reason: `events_max` (the oldest rows pushed out, same as
   * `dropped`), and rows an append could not store: `disk_full` (ENOSPC, MDB_MAP_FULL), `read_only` (EROFS, EACCES,
   * EPERM), `storage_error` (any other storage failure).
   */
  droppedBy?: Readonly<Record<string, number>>;
  consumers: ConsumerStats[];
}

export interface EventRingApi {
  readonly subscriber: string;
  /** Gives each row the next eid and time = now (seconds), writes them in one transaction; returns the eids. */
  append(rows: EventRow[]): Promise<number[]>;
  /** Rows after the consumer's cursor, in eid order, within bounds. Does not move the cursor. */
  read(consumer: string, bounds?: ReadBounds): StoredEvent[];
  /**
   * Moves the consumer's cursor to `eid` (never backwards). Call only after the rows were delivered. With `release`,
   * gives back one hold that owner has on the consumer's drain lease in the same transaction.
   */
  commit(consumer: string, eid: number, release?: DrainOwner): void;
  /**
   * Takes a hold on the consumer's drain lease (one drain per consumer at a time; the same owner may hold it several
   * times). Throws DrainBusyError when another live drain holds it. Call before read() when draining.
   */
  acquireDrain(consumer: string, owner: DrainOwner): void;
  /** Gives back one hold `owner` has on the consumer's drain lease without moving the cursor (nothing delivered). */
  releaseDrain(consumer: string, owner: DrainOwner): void;
  /** Extends the lease `owner` holds; false when it no longer holds it. */
  renewDrain(consumer: string, owner: DrainOwner): boolean;
  /** Rows within bounds, no consumer involved. */
  peek(bounds?: ReadBounds): StoredEvent[];
  stats(): RingStats;
}
