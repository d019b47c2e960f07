import type { EventRingApi } from '@quarry/buffers';

export type StoreRole = 'publisher' | 'consumer';

/** A string key-value sub-database (the daemon's own state: splay, differential results, denylist). */
export interface KeyValue {
  get(key: string): string | undefined;
  put(key: string, value: string): Promise<void>;
  /** Durable before it returns (executing_query must survive a crash). */
  putSync(key: string, value: string): void;
  delete(key: string): Promise<void>;
  keys(): string[];
}

/** What quarryd needs from an event store (buffers' EventStore, wrapped by openEventStore / NotifyingStore). */
export interface DaemonEventStore {
  ring(subscriber: string): EventRingApi;
  kv(name: string): KeyValue;
  flush(): Promise<void>;
  close(): Promise<void>;
}
