/**
 * Opens @quarry/buffers' EventStore at --database_path (a directory, 0700): role 'publisher' in quarryd's main
 * thread, 'consumer' in its query workers. The daemon's own state lives in the store's `kv:<name>` sub-databases.
 */
import { EventEmitter } from 'node:events';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EventStore, type EventRingApi, type EventRow, type EventStoreOptions } from '@quarry/buffers';
import type { DaemonEventStore, KeyValue, StoreRole } from './store-types.js';

export interface OpenStoreOptions {
  role: StoreRole;
  expirySeconds?: number;
  maxRows?: number;
  /** Per-ring retention overrides (syslog_events keeps --syslog_events_expiry / --syslog_events_max). */
  ringLimits?: EventStoreOptions['ringLimits'];
  /** Told once when appends start failing (disk full, read-only storage) and once when they succeed again. */
  onStorageFault?: EventStoreOptions['onStorageFault'];
}

/**
 * Creates `path` (and missing parents) with mode 0700. Directories that already existed keep their mode: /run, /tmp,
 * /var/lib or a log directory are not ours to tighten. Only the directories this call created are chmod-ed (mkdir's
 * mode is masked by the umask).
 */
export function ensurePrivateDirectory(path: string): void {
  const absolute = resolve(path);
  const firstCreated = mkdirSync(absolute, { recursive: true, mode: 0o700 });
  if (firstCreated === undefined) return;
  let current = absolute;
  for (;;) {
    chmodSync(current, 0o700);
    if (current === firstCreated || dirname(current) === current) break;
    current = dirname(current);
  }
}

/** The event store (rings) for this role, and the daemon's state key-values. */
export async function openEventStore(path: string, options: OpenStoreOptions): Promise<DaemonEventStore & { store: EventStore }> {
  // The publisher (main thread) creates the parent; query workers open what it made.
  if (options.role === 'publisher') ensurePrivateDirectory(dirname(path));
  const store = EventStore.open(path, {
    role: options.role,
    ...(options.expirySeconds !== undefined ? { eventsExpiry: options.expirySeconds } : {}),
    ...(options.maxRows !== undefined ? { eventsMax: options.maxRows } : {}),
    ...(options.ringLimits !== undefined ? { ringLimits: options.ringLimits } : {}),
    ...(options.onStorageFault !== undefined ? { onStorageFault: options.onStorageFault } : {}),
  });
  return {
    store,
    ring: (name) => store.ring(name),
    kv: (name): KeyValue => store.kv(name),
    flush: () => store.flush(),
    close: () => store.close(),
  };
}

/** Wraps a publisher-side store so every successful append is announced: `appended(subscriber, firstEid, lastEid)`. */
export class NotifyingStore extends EventEmitter {
  private readonly rings = new Map<string, EventRingApi>();

  constructor(readonly inner: DaemonEventStore) {
    super();
    this.setMaxListeners(0);
  }

  ring(name: string): EventRingApi {
    let ring = this.rings.get(name);
    if (!ring) {
      const base = this.inner.ring(name);
      const emitter = this;
      ring = {
        subscriber: base.subscriber,
        async append(rows: EventRow[]): Promise<number[]> {
          const eids = await base.append(rows);
          if (eids.length > 0) emitter.emit('appended', name, eids[0], eids[eids.length - 1]);
          return eids;
        },
        read: (consumer, bounds) => base.read(consumer, bounds),
        commit: (consumer, eid, release) => base.commit(consumer, eid, release),
        acquireDrain: (consumer, owner) => base.acquireDrain(consumer, owner),
        releaseDrain: (consumer, owner) => base.releaseDrain(consumer, owner),
        renewDrain: (consumer, owner) => base.renewDrain(consumer, owner),
        peek: (bounds) => base.peek(bounds),
        stats: () => base.stats(),
      };
      this.rings.set(name, ring);
    }
    return ring;
  }

  kv(name: string): KeyValue {
    return this.inner.kv(name);
  }
}
