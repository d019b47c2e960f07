/**
 * A small string → string sub-database beside the rings, for a process's own state (the daemon's differential
 * results, splay, executing query). Writes are committed (synchronously) before the promise resolves.
 */
import type { Environment } from 'node-liblmdb';
import { LmdbTable, stringKey, utf8Value } from './lmdb-table.js';

export interface KeyValueStore {
  get(key: string): string | undefined;
  put(key: string, value: string): Promise<void>;
  /** put(), synchronously: committed when it returns (survives a crash of this process). */
  putSync(key: string, value: string): void;
  delete(key: string): Promise<void>;
  keys(): string[];
}

export function openKeyValueStore(env: Environment, name: string, assertOpen: () => void): KeyValueStore {
  const db = new LmdbTable(env, `kv:${name}`, stringKey, utf8Value);
  const checkKey = (key: unknown): string => {
    if (typeof key !== 'string' || key.length === 0 || Buffer.byteLength(key) > 511) {
      throw new TypeError(`Key of ${name} must be a non-empty string of at most 511 bytes, got ${JSON.stringify(key)}`);
    }
    return key;
  };
  const write = (action: () => void): Promise<void> => {
    try {
      action();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const putSync = (key: string, value: string): void => {
    if (typeof value !== 'string') throw new TypeError(`Value of ${name}/${key} must be a string`);
    checkKey(key);
    assertOpen();
    env.write((txn) => db.put(txn, key, value));
  };
  return {
    get(key) {
      checkKey(key);
      assertOpen();
      return env.read((txn) => db.get(txn, key));
    },
    put: (key, value) => write(() => putSync(key, value)),
    putSync,
    delete(key) {
      return write(() => {
        checkKey(key);
        assertOpen();
        env.write((txn) => void db.del(txn, key));
      });
    },
    keys() {
      assertOpen();
      return env.read((txn) => [...db.keysIn(txn)]);
    },
  };
}
