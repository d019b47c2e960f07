/**
 * Opens the event store at --database_path: @quarry/buffers' EventStore when that package exports one, otherwise
 * the stop-gap LMDB store (./stopgap-event-store.ts). The daemon's own state lives in a separate small LMDB
 * environment next to it (`<database_path>.state`), so it never depends on the buffers' layout.
 * Directories are created 0700.
 */
import { EventEmitter } from 'node:events';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventRingApi, EventRow } from '@quarry/buffers';
import { StopgapEventStore } from './stopgap-event-store.js';
import type { DaemonEventStore, KeyValue, StoreRole } from './store-types.js';

export interface OpenStoreOptions {
  role: StoreRole;
  expirySeconds?: number;
  maxRows?: number;
}

interface BuffersStoreLike {
  ring(name: string): EventRingApi;
  close?(): unknown;
  flush?(): unknown;
}

export function ensurePrivateDirectory(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  try {
    chmodSync(path, 0o700);
  } catch {
    // not ours to change (e.g. /tmp)
  }
}

async function openBuffersStore(path: string, options: OpenStoreOptions): Promise<BuffersStoreLike | undefined> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import('@quarry/buffers')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const EventStore = mod.EventStore as
    | { open?: (path: string, options: object) => BuffersStoreLike | Promise<BuffersStoreLike>; new (options: object): BuffersStoreLike }
    | undefined;
  if (!EventStore) return undefined;
  const settings = { path, role: options.role, expirySeconds: options.expirySeconds, maxRows: options.maxRows };
  if (typeof EventStore.open === 'function') return await EventStore.open(path, settings);
  return new EventStore(settings);
}

/** The event store (rings) for this role, and the daemon's state key-values. */
export async function openEventStore(path: string, options: OpenStoreOptions): Promise<DaemonEventStore> {
  ensurePrivateDirectory(dirname(path));
  const state = options.role === 'publisher' ? new StopgapEventStore(`${path}.state`, { role: 'publisher' }) : undefined;
  const stateKv = (name: string): KeyValue => {
    if (!state) throw new Error('the daemon state is only open in the main thread');
    return state.kv(name);
  };
  const buffers = process.env.QUARRY_STOPGAP_STORE === '1' ? undefined : await openBuffersStore(path, options).catch(() => undefined);
  if (!buffers) {
    const own = new StopgapEventStore(path, { role: options.role, ...(options.expirySeconds ? { expirySeconds: options.expirySeconds } : {}), ...(options.maxRows ? { maxRows: options.maxRows } : {}) });
    return {
      ring: (name) => own.ring(name),
      kv: stateKv,
      flush: async () => {
        await own.flush();
        await state?.flush();
      },
      close: async () => {
        await own.close();
        await state?.close();
      },
    };
  }
  return {
    ring: (name) => buffers.ring(name),
    kv: stateKv,
    flush: async () => {
      await buffers.flush?.();
      await state?.flush();
    },
    close: async () => {
      await buffers.close?.();
      await state?.close();
    },
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
        commit: (consumer, eid) => base.commit(consumer, eid),
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
