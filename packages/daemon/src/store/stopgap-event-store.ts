/**
 * Stop-gap event store until @quarry/buffers ships its EventStore: one LMDB environment (the file at
 * --database_path) with a sub-database per subscriber ring (eid → row), a `meta` sub-database (last eid per ring,
 * cursors per consumer) and `kv:<name>` sub-databases for the daemon's own state. Follows buffers/src/contract.ts.
 * Rows older than --events_expiry seconds and rows beyond --events_max per ring are removed on append.
 */
import { chmodSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { EventRingApi, EventRow, ReadBounds, RingStats, StoredEvent } from '@quarry/buffers';
import type { DaemonEventStore, KeyValue, StoreRole } from './store-types.js';

export interface StopgapOptions {
  role: StoreRole;
  expirySeconds?: number;
  maxRows?: number;
}

class StopgapRing implements EventRingApi {
  private lastEid: number;
  private appended = 0;
  private expired = 0;
  private dropped = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly subscriber: string,
    private readonly rows: Database<StoredEvent, number>,
    private readonly meta: Database<number, string>,
    private readonly options: StopgapOptions,
  ) {
    this.lastEid = this.meta.get(`eid:${subscriber}`) ?? 0;
  }

  async append(rows: EventRow[]): Promise<number[]> {
    if (this.options.role !== 'publisher') throw new Error(`event ring ${this.subscriber} was opened as a consumer; only the publisher appends`);
    const time = Math.floor(Date.now() / 1000);
    const eids: number[] = [];
    const run = this.chain.then(() =>
      this.rows.transaction(() => {
        for (const row of rows) {
          const eid = ++this.lastEid;
          eids.push(eid);
          void this.rows.put(eid, { ...row, time, eid });
        }
        void this.meta.put(`eid:${this.subscriber}`, this.lastEid);
        this.trim(time);
      }),
    );
    this.chain = run.catch(() => undefined);
    await run;
    this.appended += rows.length;
    return eids;
  }

  private trim(now: number): void {
    const expiry = this.options.expirySeconds ?? 0;
    const max = this.options.maxRows ?? 0;
    let count = -1;
    if (max > 0) count = this.rows.getCount();
    for (const { key, value } of this.rows.getRange({})) {
      const old = expiry > 0 && value.time < now - expiry;
      const over = max > 0 && count > max;
      if (!old && !over) break;
      void this.rows.remove(key);
      if (old) this.expired++;
      else this.dropped++;
      if (count > 0) count--;
    }
  }

  private range(from: number, bounds: ReadBounds): StoredEvent[] {
    const start = Math.max(from, bounds.eidFrom ?? 0);
    const out: StoredEvent[] = [];
    const limit = bounds.limit ?? Infinity;
    for (const { value } of this.rows.getRange({ start, ...(bounds.eidTo !== undefined ? { end: bounds.eidTo + 1 } : {}) })) {
      if (bounds.timeFrom !== undefined && value.time < bounds.timeFrom) continue;
      if (bounds.timeTo !== undefined && value.time > bounds.timeTo) continue;
      out.push(value);
      if (out.length >= limit) break;
    }
    return out;
  }

  cursor(consumer: string): number {
    return this.meta.get(`cursor:${this.subscriber}:${consumer}`) ?? 0;
  }

  read(consumer: string, bounds: ReadBounds = {}): StoredEvent[] {
    return this.range(this.cursor(consumer) + 1, bounds);
  }

  commit(consumer: string, eid: number): void {
    const key = `cursor:${this.subscriber}:${consumer}`;
    this.meta.transactionSync(() => {
      const current = this.meta.get(key) ?? 0;
      if (eid > current) this.meta.putSync(key, eid);
    });
  }

  peek(bounds: ReadBounds = {}): StoredEvent[] {
    return this.range(1, bounds);
  }

  stats(): RingStats {
    let oldest: number | null = null;
    let newest: number | null = null;
    for (const { value } of this.rows.getRange({ limit: 1 })) oldest = value.time;
    for (const { value } of this.rows.getRange({ reverse: true, limit: 1 })) newest = value.time;
    const newestEid = this.meta.get(`eid:${this.subscriber}`) ?? this.lastEid;
    const prefix = `cursor:${this.subscriber}:`;
    const consumers = [];
    for (const { key, value } of this.meta.getRange({ start: prefix, end: `${prefix}\uffff` })) {
      const lag = this.rows.getCount({ start: value + 1 });
      consumers.push({ consumer: key.slice(prefix.length), cursor: value, lag, lost: 0 });
    }
    void newestEid;
    return {
      subscriber: this.subscriber,
      rows: this.rows.getCount(),
      oldestTime: oldest,
      newestTime: newest,
      appended: this.appended,
      expired: this.expired,
      dropped: this.dropped,
      consumers,
    };
  }
}

export class StopgapEventStore implements DaemonEventStore {
  private readonly root: RootDatabase;
  private readonly meta: Database<number, string>;
  private readonly rings = new Map<string, StopgapRing>();
  private readonly kvs = new Map<string, KeyValue>();

  constructor(
    readonly path: string,
    private readonly options: StopgapOptions,
  ) {
    this.root = open({ path, maxDbs: 64, mapSize: 1024 * 1024 * 1024 });
    for (const file of [path, `${path}-lock`]) {
      try {
        chmodSync(file, 0o600);
      } catch {
        // the lock file may not exist on every platform
      }
    }
    this.meta = this.root.openDB<number, string>({ name: 'meta' });
  }

  ring(subscriber: string): StopgapRing {
    let ring = this.rings.get(subscriber);
    if (!ring) {
      const db = this.root.openDB<StoredEvent, number>({ name: `ring:${subscriber}`, keyEncoding: 'uint32' });
      ring = new StopgapRing(subscriber, db, this.meta, this.options);
      this.rings.set(subscriber, ring);
    }
    return ring;
  }

  kv(name: string): KeyValue {
    let kv = this.kvs.get(name);
    if (!kv) {
      const db = this.root.openDB<string, string>({ name: `kv:${name}`, encoding: 'string' });
      kv = {
        get: (key) => db.get(key),
        put: async (key, value) => {
          await db.put(key, value);
        },
        putSync: (key, value) => {
          db.putSync(key, value);
        },
        delete: async (key) => {
          await db.remove(key);
        },
        keys: () => [...db.getKeys({})].map(String),
      };
      this.kvs.set(name, kv);
    }
    return kv;
  }

  async flush(): Promise<void> {
    await this.root.flushed;
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
