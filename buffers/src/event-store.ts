/**
 * The event database at `--database_path`: one LMDB environment holding one ring per subscriber.
 *
 * One process publishes (appends and expires) into a database at a time; any number of processes open it as
 * consumers, reading rows and committing their own cursors (LMDB serializes writers across processes with its own
 * lock, and readers never block). See event-ring.ts for the layout inside the environment.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { DatabaseOpenError, enforceDatabasePermissions, prepareDatabaseDirectory } from './database-files.js';
import { claimForThisProcess, isClaimLive, isPublisherClaim, type PublisherClaim } from './publisher-lock.js';
import { openKeyValueStore, type KeyValueStore } from './key-value.js';
import { DEFAULT_MAX_CONSUMERS } from './consumer-names.js';
import { EventRing, type CursorRecord, type RingEnvironment, type RingMeta } from './event-ring.js';
import { DEFAULT_DRAIN_LEASE_MS, type DrainLease } from './drain-lease.js';

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
}

const FORMAT_KEY = 'format';
const FORMAT = 'quarry-events/1';
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
  private readonly env: RootDatabase;
  private readonly metaDb: Database<unknown, string>;
  private readonly ringsDb: Database<RingMeta, string>;
  private readonly cursorsDb: Database<CursorRecord, [string, string]>;
  private readonly leasesDb: Database<DrainLease, [string, string]>;
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
      // noSync: a commit hands its pages to the kernel without waiting for fsync. A killed process (even kill -9)
      // loses nothing that was committed — the pages are in the page cache; only a power loss or kernel crash
      // could lose the last few seconds, which flush() closes. Waiting for the disk on every small batch held the
      // publishing process for seconds during a 60,000-file burst (bench/fim/burst.ts).
      this.env = open({ path, noSubdir: false, maxDbs: 256, mapSize: 1024 * 1024 * 1024, noSync: true });
      this.metaDb = this.env.openDB<unknown, string>('meta', { encoding: 'msgpack' });
    } catch (error) {
      throw new DatabaseOpenError(
        `Database ${path} cannot be opened: ${error instanceof Error ? error.message : String(error)}; ` +
          'check that the directory is writable and is a Quarry database, or choose another --database_path',
      );
    }
    try {
      enforceDatabasePermissions(path);
      this.checkFormat(existingData);
      this.ringsDb = this.env.openDB<RingMeta, string>('rings', { encoding: 'msgpack' });
      this.cursorsDb = this.env.openDB<CursorRecord, [string, string]>('cursors', { encoding: 'msgpack' });
      this.leasesDb = this.env.openDB<DrainLease, [string, string]>('leases', { encoding: 'msgpack' });
      this.claim = this.role === 'publisher' ? this.claimPublisher() : undefined;
    } catch (error) {
      void this.env.close();
      throw error;
    }
    if (this.role === 'publisher' && expiryIntervalMs > 0) {
      const onError = options.onError ?? ((error: Error) => process.emitWarning(error));
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
    this.metaDb.resetReadTxn();
    const stored = this.metaDb.get(PUBLISHER_KEY);
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
    this.ringsDb.resetReadTxn();
    const names = [...this.ringsDb.getKeys({})].filter((name): name is string => typeof name === 'string');
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
    this.syncDataFile();
  }

  private syncDataFile(): void {
    const descriptor = openSync(join(this.path, 'data.mdb'), 'r');
    try {
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
  }

  /** Releases the publisher claim and closes the environment. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    if (this.role === 'publisher') this.syncDataFile();
    if (this.claim) {
      const claim = this.claim;
      this.env.transactionSync(() => {
        const stored = this.metaDb.get(PUBLISHER_KEY);
        if (isPublisherClaim(stored) && stored.pid === claim.pid && stored.startTicks === claim.startTicks) {
          this.metaDb.remove(PUBLISHER_KEY);
        }
      });
    }
    await this.env.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`Event database ${this.path} is closed`);
  }

  private ringEnvironment(subscriber: string): RingEnvironment {
    const limits = this.ringLimits.get(subscriber);
    return {
      env: this.env,
      ringsDb: this.ringsDb,
      cursorsDb: this.cursorsDb,
      leasesDb: this.leasesDb,
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
    const format = this.metaDb.get(FORMAT_KEY);
    if (format === FORMAT) return;
    const foreignDatabases = existingData
      ? [...this.env.getKeys({})].map(String).filter((name) => !OWN_DATABASE.test(name))
      : [];
    if (format !== undefined || foreignDatabases.length > 0) {
      const found = format === undefined ? `an LMDB database that is not Quarry's (${foreignDatabases.slice(0, 3).join(', ')})` : `format ${JSON.stringify(format)}`;
      throw new DatabaseOpenError(
        `Database ${this.path} holds ${found}, not ${FORMAT}; Quarry will not change it: choose another --database_path`,
      );
    }
    this.env.transactionSync(() => {
      if (this.metaDb.get(FORMAT_KEY) === undefined) this.metaDb.put(FORMAT_KEY, FORMAT);
    });
  }

  private claimPublisher(): PublisherClaim {
    const mine = claimForThisProcess();
    let holder: number | undefined;
    this.env.transactionSync(() => {
      const stored = this.metaDb.get(PUBLISHER_KEY);
      if (isPublisherClaim(stored) && isClaimLive(stored)) {
        holder = stored.pid;
        return;
      }
      this.metaDb.put(PUBLISHER_KEY, mine);
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
