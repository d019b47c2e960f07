/**
 * Typed named databases over node-liblmdb: how buffers/ encodes keys and values.
 * - eid keys: 8-byte big-endian unsigned integers, so LMDB's byte order is numeric order.
 * - string keys: UTF-8.
 * - pair keys ([subscriber, consumer]): `subscriber \0 consumer` (neither holds a NUL), so one subscriber's keys are
 *   one contiguous range. A pair too long for LMDB's 511-byte keys ends in `\0 \x01` + SHA-256 of the consumer
 *   instead (no stored name holds a control character, so it cannot collide with a real one); the full name is kept
 *   in the value.
 * - values: msgpack (msgpackr; bigints of any size round-trip, numbers stay numbers).
 */
import { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import { MAX_KEY_SIZE, type Environment, type Span, type Transaction } from 'node-liblmdb';

export interface KeyCodec<K> {
  encode(key: K): Buffer;
  decode(bytes: Buffer): K;
}

export interface ValueCodec<V> {
  encode(value: V): Buffer;
  decode(bytes: Buffer): V;
}

export const eidKey: KeyCodec<number> & { decodeSpan(span: Span): number } = {
  encode(eid) {
    const bytes = Buffer.allocUnsafe(8);
    bytes.writeUInt32BE(Math.floor(eid / 0x100000000), 0);
    bytes.writeUInt32BE(eid >>> 0, 4);
    return bytes;
  },
  decode: (bytes) => bytes.readUInt32BE(0) * 0x100000000 + bytes.readUInt32BE(4),
  /** Without a Buffer per key (scans). */
  decodeSpan: (span) => span.source.readUInt32BE(span.start) * 0x100000000 + span.source.readUInt32BE(span.start + 4),
};

export const stringKey: KeyCodec<string> = {
  encode: (key) => Buffer.from(key, 'utf8'),
  decode: (bytes) => bytes.toString('utf8'),
};

const SEPARATOR = '\u0000';
const HASHED = '\u0001';

export const pairKey: KeyCodec<[string, string]> = {
  encode([first, second]) {
    const bytes = Buffer.from(first + SEPARATOR + second, 'utf8');
    if (bytes.length <= MAX_KEY_SIZE) return bytes;
    return Buffer.from(first + SEPARATOR + HASHED + createHash('sha256').update(second).digest('hex'), 'utf8');
  },
  decode(bytes) {
    const text = bytes.toString('utf8');
    const at = text.indexOf(SEPARATOR);
    return [text.slice(0, at), text.slice(at + 1)];
  },
};

/** The key range of every pair whose first part is `first`: [start, end). */
export function pairPrefix(first: string): { start: Buffer; end: Buffer } {
  return { start: Buffer.from(first + SEPARATOR, 'utf8'), end: Buffer.from(first + '\u0001', 'utf8') };
}

const packr = new Packr({ useRecords: false, mapsAsObjects: true, useBigIntExtension: true });

export function msgpack<V>(): ValueCodec<V> & { decodeSpan(span: Span): V } {
  return {
    encode: (value) => packr.pack(value),
    decode: (bytes) => packr.unpack(bytes) as V,
    // msgpackr keeps one DataView per source buffer: decoding ranges of the one map buffer makes no garbage per value
    decodeSpan: (span) => packr.unpack(span.source, { start: span.start, end: span.end }) as V,
  };
}

export const utf8Value: ValueCodec<string> = {
  encode: (value) => Buffer.from(value, 'utf8'),
  decode: (bytes) => bytes.toString('utf8'),
};

export interface RangeOptions {
  /** First key (inclusive); default the first. */
  start?: Buffer;
  /** Key to stop before (exclusive). */
  end?: Buffer;
  limit?: number;
}

/** One named database with its codecs. Every call runs in a transaction the caller passes. */
export class LmdbTable<K, V> {
  readonly dbi: number;

  constructor(
    env: Environment,
    /** null: LMDB's main (unnamed) database, which lists the named ones. */
    readonly name: string | null,
    readonly keys: KeyCodec<K>,
    readonly values: ValueCodec<V>,
  ) {
    this.dbi = env.dbi(name, true) as number;
  }

  get(txn: Transaction, key: K): V | undefined {
    const bytes = txn.getView(this.dbi, this.keys.encode(key));
    return bytes === undefined ? undefined : this.values.decode(bytes);
  }

  put(txn: Transaction, key: K, value: V): void {
    txn.put(this.dbi, this.keys.encode(key), this.values.encode(value));
  }

  del(txn: Transaction, key: K): boolean {
    return txn.del(this.dbi, this.keys.encode(key));
  }

  /** Entries in key order within `options`, decoded (keys by `keys`, values by `values`). */
  *range(txn: Transaction, options: RangeOptions = {}): Generator<{ key: K; value: V }> {
    for (const entry of this.rawRange(txn, options)) yield { key: this.keys.decode(entry.key), value: this.values.decode(entry.value) };
  }

  /** Keys in order within `options` (values are not decoded). */
  *keysIn(txn: Transaction, options: RangeOptions = {}): Generator<K> {
    for (const entry of this.rawRange(txn, options)) yield this.keys.decode(entry.key);
  }

  /** Entries as views (valid until the next step): for callers that decode only part of each entry. */
  *rawRange(txn: Transaction, options: RangeOptions = {}): Generator<{ key: Buffer; value: Buffer }> {
    const cursor = txn.cursor(this.dbi);
    try {
      let found = options.start ? cursor.setRange(options.start) : cursor.first();
      let count = 0;
      const limit = options.limit ?? Infinity;
      while (found && count < limit) {
        if (options.end && Buffer.compare(cursor.key, options.end) >= 0) break;
        yield { key: cursor.key, value: cursor.value };
        count++;
        found = cursor.next();
      }
    } finally {
      cursor.close();
    }
  }

  /**
   * Calls `visit` with each entry in key order within `options` as spans (no Buffer per entry; valid during the call)
   * until it returns false.
   */
  scan(txn: Transaction, options: RangeOptions, visit: (key: Span, value: Span) => boolean | void): void {
    const cursor = txn.cursor(this.dbi);
    try {
      const end = options.end;
      const limit = options.limit ?? Infinity;
      let count = 0;
      for (let found = options.start ? cursor.setRange(options.start) : cursor.first(); found && count < limit; found = cursor.next()) {
        const key = cursor.keySpan;
        if (end && end.compare(key.source, key.start, key.end) <= 0) break;
        if (visit(key, cursor.valueSpan) === false) break;
        count++;
      }
    } finally {
      cursor.close();
    }
  }

  /** The first key, or undefined when empty. */
  firstKey(txn: Transaction): K | undefined {
    for (const key of this.keysIn(txn, { limit: 1 })) return key;
    return undefined;
  }
}
