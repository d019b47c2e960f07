/**
 * The event database at `--database_path`: one LMDB environment (the official LMDB, Debian's liblmdb0, through
 * node-liblmdb) holding one ring per subscriber.
 *
 * One process publishes (appends and expires) into a database at a time; any number of processes open it as
 * consumers, reading rows and committing their own cursors (LMDB serializes writers across processes with its own
 * lock, and readers never block). Threads of one process share one environment (node-liblmdb attaches a second open
 * of the same path to the first). See event-ring.ts for the layout inside the environment and EXACTLY-ONCE.md for
 * why a drain delivers each row once.
 */
import { Environment, LmdbError, type Transaction } from 'node-liblmdb';
import { AppendFaults, type StorageFaultReport } from './append-faults.js';
import { DatabaseOpenError, enforceDatabasePermissions, prepareDatabaseDirectory } from './database-files.js';
import { LmdbTable, msgpack, pairKey, stringKey } from './lmdb-table.js';
import { readStateMarker, writeStateMarker, STATE_FILE } from './state-marker.js';
import { claimForThisProcess, isClaimLive, isPublisherClaim, type PublisherClaim } from './publisher-lock.js';
import { openKeyValueStore, type KeyValueStore } from './key-value.js';
import { DEFAULT_MAX_CONSUMERS } from './consumer-names.js';
import { EventRing, type RingEnvironment, type RingMeta, type StoredCursor, type StoredLease } from './event-ring.js';
import { DEFAULT_DRAIN_LEASE_MS } from './drain-lease.js';

export type StoreRole = 'publisher' | 'consumer';

/** A ring's own retention, replacing the store's eventsExpiry / eventsMax for that ring. */
export interface RingLimits {
  eventsExpiry?: number;
  eventsMax?: number;
}

export interface EventStoreOptions {
  role: StoreRole;
  /** Seconds a row is kept (osquery's --events_expiry). Default 3600; 0 keeps rows until events_max pushes them out. */
  eventsExpiry?: number;
  /** Rows kept per ring (osquery's --events_max, counted in rows, not seconds). Default 50000; 0 = no limit. */
  eventsMax?: number;
  /**
   * Per-ring overrides of eventsExpiry / eventsMax, by subscriber name (osquery's syslog_events keeps its rows by
   * --syslog_events_expiry / --syslog_events_max instead of --events_expiry / --events_max).
   */
  ringLimits?: Readonly<Record<string, RingLimits>>;
  /** How often the publisher expires old rows besides on each append. Default 60000 ms; 0 disables the timer. */
  expiryIntervalMs?: number;
  /**
   * Consumers (cursors) each ring keeps at most (default 1024; 0 = no limit). Committing for a new consumer beyond it throws
   * ConsumerLimitError; reuse names or drop stale consumers (EventRing.dropConsumer).
   */
  maxConsumers?: number;
  /**
   * How long a drain lease lasts without being given back, in ms (default 600000). Only a holder thread that died in a
   * live process waits for it: a lease whose process is gone is taken over at once.
   */
  drainLeaseMs?: number;
  /** Milliseconds since the epoch; defaults to Date.now. For tests. */
  clock?: () => number;
  /** Called when the expiry timer fails (default: a process warning). */
  onError?: (error: Error) => void;
  /**
   * Called once when appends start failing (disk full, read-only storage) and once when they succeed again, with the
   * rows dropped meanwhile (default: a process warning). The rows are counted in RingStats.droppedBy either way.
   */
  onStorageFault?: (report: StorageFaultReport) => void;
  /** How often the publisher refreshes quarry-state.json (after syncing data.mdb). Default 30000 ms; 0: only at close. */
  markerIntervalMs?: number;
}

const FORMAT_KEY = 'format';
const FORMAT = 'quarry-events/2';
const PUBLISHER_KEY = 'publisher';
const OWN_DATABASE = /^(meta|rings|cursors|leases|events:.*|kv:.*)$/;
const KV_NAME = /^[A-Za-z0-9_.-]{1,200}$/;
const SUBSCRIBER_NAME = /^[A-Za-z0-9_.-]{1,200}$/;

function checkCount(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new TypeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

export class EventStore {
  readonly path: string;
  readonly role: StoreRole;
  readonly eventsExpiry: number;
  readonly eventsMax: number;
  readonly maxConsumers: number;
  private readonly ringLimits: ReadonlyMap<string, Required<RingLimits>>;
  private readonly env: Environment;
  private readonly metaDb: LmdbTable<string, unknown>;
  private readonly ringsDb: LmdbTable<string, RingMeta>;
  private readonly cursorsDb: LmdbTable<[string, string], StoredCursor>;
  private readonly leasesDb: LmdbTable<[string, string], StoredLease>;
  private readonly faults: AppendFaults;
  private markerTimer: NodeJS.Timeout | undefined;
  private readonly drainLeaseMs: number;
  private readonly openRings = new Map<string, EventRing>();
  private readonly openKeyValues = new Map<string, KeyValueStore>();
  private readonly clock: () => number;
  private readonly claim: PublisherClaim | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(path: string, options: EventStoreOptions) {
    this.path = path;
    this.role = options.role;
    this.eventsExpiry = checkCount('eventsExpiry', options.eventsExpiry, 3600);
    this.eventsMax = checkCount('eventsMax', options.eventsMax, 50000);
    this.maxConsumers = checkCount('maxConsumers', options.maxConsumers, DEFAULT_MAX_CONSUMERS);
    this.ringLimits = new Map(
      Object.entries(options.ringLimits ?? {}).map(([name, limits]) => [
        name,
        {
          eventsExpiry: checkCount(`ringLimits.${name}.eventsExpiry`, limits.eventsExpiry, this.eventsExpiry),
          eventsMax: checkCount(`ringLimits.${name}.eventsMax`, limits.eventsMax, this.eventsMax),
        },
      ]),
    );
    const expiryIntervalMs = checkCount('expiryIntervalMs', options.expiryIntervalMs, 60000);
    this.drainLeaseMs = checkCount('drainLeaseMs', options.drainLeaseMs, DEFAULT_DRAIN_LEASE_MS);
    this.clock = options.clock ?? Date.now;

    const { existingData } = prepareDatabaseDirectory(path);
    try {
      // No-sync commits (MDB_NOSYNC): a commit hands its pages to the kernel without waiting for fsync. A killed
      // process (even kill -9) loses nothing that was committed — the pages are in the page cache; only a power loss
      // or kernel crash could lose the last few seconds, which flush() closes. Waiting for the disk on every small
      // batch held the publishing process for seconds during a 60,000-file burst (bench/fim/burst.ts).
      this.env = Environment.open(path, { maxDbs: 256, mapSize: 1024 * 1024 * 1024, mode: 0o600 });
    } catch (error) {
      const reason = error instanceof LmdbError ? `${error.codeName}: ${error.message}` : error instanceof Error ? error.message : String(error);
      throw new DatabaseOpenError(
        `Database ${path} cannot be opened: ${reason}; ` +
          'check that the directory is writable and is a Quarry database, or choose another --database_path',
      );
    }
    try {
      enforceDatabasePermissions(path);
      this.metaDb = new LmdbTable<string, unknown>(this.env, 'meta', stringKey, msgpack());
      this.checkFormat(existingData);
      this.ringsDb = new LmdbTable<string, RingMeta>(this.env, 'rings', stringKey, msgpack());
      this.cursorsDb = new LmdbTable<[string, string], StoredCursor>(this.env, 'cursors', pairKey, msgpack());
      this.leasesDb = new LmdbTable<[string, string], StoredLease>(this.env, 'leases', pairKey, msgpack());
      this.checkMarker();
      this.claim = this.role === 'publisher' ? this.claimPublisher() : undefined;
    } catch (error) {
      this.env.close();
      throw error;
    }
    const report = options.onStorageFault ?? ((fault: StorageFaultReport) => process.emitWarning(fault.message, 'QuarryStorageWarning'));
    this.faults = new AppendFaults(path, report);
    if (this.role === 'publisher') {
      const onError = options.onError ?? ((error: Error) => process.emitWarning(error));
      this.writeMarker();
      const markerIntervalMs = checkCount('markerIntervalMs', options.markerIntervalMs, 30000);
      if (markerIntervalMs > 0) {
        this.markerTimer = setInterval(() => this.writeMarker(), markerIntervalMs);
        this.markerTimer.unref();
      }
      if (expiryIntervalMs > 0) {
        this.expiryTimer = setInterval(() => {
          try {
            this.expireAll();
          } catch (error) {
            onError(error instanceof Error ? error : new Error(String(error)));
          }
        }, expiryIntervalMs);
        this.expiryTimer.unref();
      }
    }
  }

  /** Opens (creating if needed) the event database directory at `path`. Throws a clear error when it cannot. */
  static open(path: string, options: EventStoreOptions): EventStore {
    if (typeof path !== 'string' || path.length === 0) {
      throw new TypeError('EventStore.open needs a database path (--database_path)');
    }
    if (options?.role !== 'publisher' && options?.role !== 'consumer') {
      throw new TypeError(`EventStore.open role must be 'publisher' or 'consumer', got ${String(options?.role)}`);
    }
    return new EventStore(path, options);
  }

  /** The live publisher's pid: this process's for a publisher store; undefined when nobody publishes. */
  get holderPid(): number | undefined {
    if (this.claim) return this.claim.pid;
    if (this.closed) return undefined;
    const stored = this.env.read((txn) => this.metaDb.get(txn, PUBLISHER_KEY));
    return isPublisherClaim(stored) && isClaimLive(stored) ? stored.pid : undefined;
  }

  /** The ring of `subscriber`, created empty if the database has none yet. */
  ring(subscriber: string): EventRing {
    this.assertOpen();
    if (typeof subscriber !== 'string' || !SUBSCRIBER_NAME.test(subscriber)) {
      throw new TypeError(
        `Subscriber name ${JSON.stringify(subscriber)} is not valid: use letters, digits, '_', '.' or '-' (at most 200)`,
      );
    }
    let ring = this.openRings.get(subscriber);
    if (!ring) {
      ring = new EventRing(subscriber, this.ringEnvironment(subscriber));
      this.openRings.set(subscriber, ring);
    }
    return ring;
  }

  /** A string key-value sub-database named `name` (any role may write it), for a process's own state. */
  kv(name: string): KeyValueStore {
    this.assertOpen();
    if (typeof name !== 'string' || !KV_NAME.test(name)) {
      throw new TypeError(`Key-value store name ${JSON.stringify(name)} is not valid: use letters, digits, '_', '.' or '-'`);
    }
    let store = this.openKeyValues.get(name);
    if (!store) {
      store = openKeyValueStore(this.env, name, () => this.assertOpen());
      this.openKeyValues.set(name, store);
    }
    return store;
  }

  /** Every ring stored in the database (including those another process created), by subscriber name. */
  rings(): EventRing[] {
    this.assertOpen();
    const names = this.env.read((txn) => [...this.ringsDb.keysIn(txn)]);
    return names.sort().map((name) => this.ring(name));
  }

  /** Expires old rows in every ring now (the publisher also does this on a timer and on append). */
  expireAll(): number {
    this.assertOpen();
    if (this.role !== 'publisher') return 0;
    return this.rings().reduce((total, ring) => total + ring.expire(), 0);
  }

  /**
   * Forces every committed write onto the disk. Commits are durable against a crash of this process as soon as
   * they return; flush() adds durability against a power loss (the environment is opened with noSync).
   */
  async flush(): Promise<void> {
    this.assertOpen();
    this.env.sync();
  }

  /** Syncs data.mdb, then records each ring's last eid in quarry-state.json (never ahead of what the disk holds). */
  private writeMarker(): void {
    try {
      this.env.sync();
    } catch {
      return; // the disk refuses writes: the marker keeps its older, smaller eids
    }
    const rings: Record<string, number> = {};
    const stored = this.env.read((txn) => [...this.ringsDb.range(txn)]);
    for (const { key, value } of stored) rings[key] = value.lastEid;
    writeStateMarker(this.path, { format: FORMAT, rings, updatedAt: new Date(this.clock()).toISOString() });
  }

  /** A data.mdb whose rings are behind quarry-state.json was rolled back (an older copy): its eids would be reused. */
  private checkMarker(): void {
    const marker = readStateMarker(this.path);
    if (marker === undefined) return;
    const behind = this.env.read((txn) =>
      Object.entries(marker.rings).filter(([ring, eid]) => (this.ringsDb.get(txn, ring)?.lastEid ?? 0) < eid),
    );
    if (behind.length === 0) return;
    const [ring, eid] = behind[0] as [string, number];
    throw new DatabaseOpenError(
      `Database ${this.path} is corrupt or was rolled back: ring ${ring} ends before eid ${eid}, which ${STATE_FILE} ` +
        'recorded as stored (an older copy restored, or a damaged file); using it would reuse eids, so Quarry will not: ' +
        'restore the newer copy, or start fresh deliberately: move the directory aside (keep it if you need its events) ' +
        'or choose another --database_path',
    );
  }

  /** Releases the publisher claim and closes the environment. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    if (this.markerTimer) clearInterval(this.markerTimer);
    try {
      if (this.role === 'publisher') this.writeMarker();
      if (this.claim) {
        const claim = this.claim;
        this.env.write((txn) => {
          const stored = this.metaDb.get(txn, PUBLISHER_KEY);
          if (isPublisherClaim(stored) && stored.pid === claim.pid && stored.startTicks === claim.startTicks) {
            this.metaDb.del(txn, PUBLISHER_KEY);
          }
        });
      }
    } finally {
      this.closed = true;
      this.env.close();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`Event database ${this.path} is closed`);
  }

  private ringEnvironment(subscriber: string): RingEnvironment {
    const limits = this.ringLimits.get(subscriber);
    return {
      env: this.env,
      rings: this.ringsDb,
      cursors: this.cursorsDb,
      leases: this.leasesDb,
      faults: this.faults,
      drainLeaseMs: this.drainLeaseMs,
      role: this.role,
      path: this.path,
      eventsExpiry: limits?.eventsExpiry ?? this.eventsExpiry,
      maxConsumers: this.maxConsumers,
      eventsMax: limits?.eventsMax ?? this.eventsMax,
      nowMs: () => this.clock(),
      assertOpen: () => this.assertOpen(),
    };
  }

  private checkFormat(existingData: boolean): void {
    const format = this.env.read((txn) => this.metaDb.get(txn, FORMAT_KEY));
    if (format === FORMAT) return;
    const foreignDatabases = existingData
      ? this.env.read((txn) => this.mainKeys(txn)).filter((name) => !OWN_DATABASE.test(name))
      : [];
    if (format !== undefined || foreignDatabases.length > 0) {
      const found = format === undefined ? `an LMDB database that is not Quarry's (${foreignDatabases.slice(0, 3).join(', ')})` : `format ${JSON.stringify(format)}`;
      throw new DatabaseOpenError(
        `Database ${this.path} holds ${found}, not ${FORMAT}; Quarry will not change it: choose another --database_path`,
      );
    }
    this.env.write((txn) => {
      if (this.metaDb.get(txn, FORMAT_KEY) === undefined) this.metaDb.put(txn, FORMAT_KEY, FORMAT);
    });
  }

  /** Names in the main (unnamed) database: the named databases, and any plain keys another program stored. */
  private mainKeys(txn: Transaction): string[] {
    const main = new LmdbTable<string, Buffer>(this.env, null, stringKey, { encode: (v) => v, decode: (v) => v });
    return [...main.keysIn(txn)];
  }

  private claimPublisher(): PublisherClaim {
    const mine = claimForThisProcess();
    let holder: number | undefined;
    this.env.write((txn) => {
      const stored = this.metaDb.get(txn, PUBLISHER_KEY);
      if (isPublisherClaim(stored) && isClaimLive(stored)) {
        holder = stored.pid;
        return;
      }
      this.metaDb.put(txn, PUBLISHER_KEY, mine);
    });
    if (holder !== undefined) {
      throw new DatabaseOpenError(
        `Database ${this.path} is already being published to by pid ${holder}; ` +
          'stop that process, open the database as a consumer, or choose another --database_path',
      );
    }
    return mine;
  }
}
