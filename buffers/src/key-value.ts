/**
 * A small string → string sub-database beside the rings, for a process's own state (the daemon's differential
 * results, splay, executing query). Writes are committed (synchronously) before the promise resolves.
 */
import type { Database, RootDatabase } from 'lmdb';

export interface KeyValueStore {
  get(key: string): string | undefined;
  put(key: string, value: string): Promise<void>;
  /** put(), synchronously: committed when it returns (survives a crash of this process). */
  putSync(key: string, value: string): void;
  delete(key: string): Promise<void>;
  keys(): string[];
}

export function openKeyValueStore(env: RootDatabase, name: string, assertOpen: () => void): KeyValueStore {
  const db: Database<string, string> = env.openDB<string, string>(`kv:${name}`, { encoding: 'string' });
  const checkKey = (key: unknown): string => {
    if (typeof key !== 'string' || key.length === 0 || Buffer.byteLength(key) > 1000) {
      throw new TypeError(`Key of ${name} must be a non-empty string of at most 1000 bytes, got ${JSON.stringify(key)}`);
    }
    return key;
  };
  const write = (action: () => void): Promise<void> => {
    try {
      assertOpen();
      env.transactionSync(action);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    get(key) {
      assertOpen();
      db.resetReadTxn();
      return db.get(checkKey(key));
    },
    put(key, value) {
      if (typeof value !== 'string') return Promise.reject(new TypeError(`Value of ${name}/${key} must be a string`));
      return write(() => void db.put(checkKey(key), value));
    },
    putSync(key, value) {
      if (typeof value !== 'string') throw new TypeError(`Value of ${name}/${key} must be a string`);
      assertOpen();
      env.transactionSync(() => void db.put(checkKey(key), value));
    },
    delete(key) {
      return write(() => void db.remove(checkKey(key)));
    },
    keys() {
      assertOpen();
      db.resetReadTxn();
      return [...db.getKeys({})].map(String);
    },
  };
}
