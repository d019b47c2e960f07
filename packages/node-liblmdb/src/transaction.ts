/**
 * Transactions and cursors. Keys and values are Buffers. Values a read returns are views into LMDB's memory map
 * (no copy) when the page is mapped, valid only until the transaction ends or the cursor moves: `get` copies,
 * the cursor's `key` / `value` do not (decode them before moving on).
 */
import { CursorOp, DbiFlags, MDB_NOTFOUND } from './constants.js';
import { check, readStat, type DatabaseStat, type Environment } from './environment.js';
import { lmdb, type LmdbLibrary } from './library.js';

/** Longest key LMDB 0.9 accepts (mdb_env_get_maxkeysize). */
export const MAX_KEY_SIZE = 511;

/** Fills an MDB_val { size_t mv_size; void *mv_data } (two 32-bit halves each: no BigInt per call). */
function writeVal(val: Buffer, size: number, address: number): void {
  val.writeUInt32LE(size >>> 0, 0);
  val.writeUInt32LE(Math.floor(size / 0x100000000), 4);
  val.writeUInt32LE(address >>> 0, 8);
  val.writeUInt32LE(Math.floor(address / 0x100000000), 12);
}

/** Per-thread scratch memory: two MDB_val structs per role and native-addressed copies of keys and values. */
class Scratch {
  readonly keyVal = Buffer.alloc(16);
  readonly dataVal = Buffer.alloc(16);
  private readonly keyBuffer = Buffer.allocUnsafeSlow(MAX_KEY_SIZE);
  private readonly keyAddress: number;
  private dataBuffer = Buffer.allocUnsafeSlow(4096);
  private dataAddress: number;

  constructor(private readonly lib: LmdbLibrary) {
    this.keyAddress = lib.addressOf(this.keyBuffer);
    this.dataAddress = lib.addressOf(this.dataBuffer);
  }

  /** Points keyVal at a copy of `key`. */
  setKey(key: Buffer): Buffer {
    if (key.length === 0 || key.length > MAX_KEY_SIZE) {
      throw new RangeError(`LMDB keys are 1 to ${MAX_KEY_SIZE} bytes; this one is ${key.length}`);
    }
    key.copy(this.keyBuffer, 0);
    writeVal(this.keyVal, key.length, this.keyAddress);
    return this.keyVal;
  }

  /** Points dataVal at a copy of `value`. */
  setData(value: Buffer): Buffer {
    if (value.length > this.dataBuffer.length) {
      this.dataBuffer = Buffer.allocUnsafeSlow(Math.max(value.length, this.dataBuffer.length * 2));
      this.dataAddress = this.lib.addressOf(this.dataBuffer);
    }
    value.copy(this.dataBuffer, 0);
    writeVal(this.dataVal, value.length, this.dataAddress);
    return this.dataVal;
  }
}

/** Bytes `source[start, end)`: valid until the transaction ends or the cursor moves. */
export interface Span {
  source: Buffer;
  start: number;
  end: number;
}

const EMPTY = Buffer.alloc(0);

let scratch: Scratch | undefined;
function threadScratch(lib: LmdbLibrary): Scratch {
  return (scratch ??= new Scratch(lib));
}

export class Transaction {
  private readonly lib: LmdbLibrary;
  private readonly scratch: Scratch;
  private readonly openedDbis: Array<[string | null, number]> = [];
  private readonly cursors = new Set<Cursor>();
  private done = false;

  constructor(
    readonly env: Environment,
    /** The MDB_txn* as an integer. */
    readonly address: number,
    readonly writable: boolean,
  ) {
    this.lib = lmdb();
    this.scratch = threadScratch(this.lib);
  }

  get isDone(): boolean {
    return this.done;
  }

  /** Opens (or creates, in a write transaction) named database `name`; undefined when missing and not created. */
  openDbi(name: string | null, create = true): number | undefined {
    this.assertLive();
    const out = Buffer.alloc(4);
    const code = this.lib.mdb_dbi_open(this.address, name, create && this.writable ? DbiFlags.MDB_CREATE : 0, out);
    if (code === MDB_NOTFOUND) return undefined;
    check(this.lib, 'mdb_dbi_open', code, name ?? '(main)');
    const dbi = out.readUInt32LE(0);
    this.openedDbis.push([name, dbi]);
    return dbi;
  }

  /** A copy of the value stored under `key`, or undefined. */
  get(dbi: number, key: Buffer): Buffer | undefined {
    const view = this.getView(dbi, key);
    return view === undefined ? undefined : Buffer.from(view);
  }

  /** The value under `key` as a view valid until this transaction ends (or writes), or undefined. */
  getView(dbi: number, key: Buffer): Buffer | undefined {
    this.assertLive();
    const s = this.scratch;
    const code = this.lib.mdb_get(this.address, dbi, s.setKey(key), s.dataVal);
    if (code === MDB_NOTFOUND) return undefined;
    check(this.lib, 'mdb_get', code);
    return this.valueOf(s.dataVal);
  }

  put(dbi: number, key: Buffer, value: Buffer, flags = 0): void {
    this.assertLive();
    const s = this.scratch;
    check(this.lib, 'mdb_put', this.lib.mdb_put(this.address, dbi, s.setKey(key), s.setData(value), flags));
  }

  /** Deletes `key`; false when it was not there. */
  del(dbi: number, key: Buffer): boolean {
    this.assertLive();
    const code = this.lib.mdb_del(this.address, dbi, this.scratch.setKey(key), null);
    if (code === MDB_NOTFOUND) return false;
    check(this.lib, 'mdb_del', code);
    return true;
  }

  /** Empties database `dbi` (or deletes it from the environment with `remove`). */
  drop(dbi: number, remove = false): void {
    this.assertLive();
    check(this.lib, 'mdb_drop', this.lib.mdb_drop(this.address, dbi, remove ? 1 : 0));
  }

  stat(dbi: number): DatabaseStat {
    this.assertLive();
    const buffer = Buffer.alloc(48);
    check(this.lib, 'mdb_stat', this.lib.mdb_stat(this.address, dbi, buffer));
    return readStat(buffer);
  }

  cursor(dbi: number): Cursor {
    this.assertLive();
    const out = Buffer.alloc(8);
    check(this.lib, 'mdb_cursor_open', this.lib.mdb_cursor_open(this.address, dbi, out));
    const cursor = new Cursor(this, Number(out.readBigUInt64LE(0)), this.lib, this.scratch);
    this.cursors.add(cursor);
    return cursor;
  }

  commit(): void {
    this.assertLive();
    this.finish();
    check(this.lib, 'mdb_txn_commit', this.lib.mdb_txn_commit(this.address), this.env.path);
    for (const [name, dbi] of this.openedDbis) this.env.rememberDbi(name, dbi);
  }

  abort(): void {
    if (this.done) return;
    this.finish();
    this.lib.mdb_txn_abort(this.address);
    // dbi handles opened by a read transaction stay valid after it ends (only a write transaction's new ones close)
    if (!this.writable) for (const [name, dbi] of this.openedDbis) this.env.rememberDbi(name, dbi);
  }

  /** @internal */
  valueOf(val: Buffer): Buffer {
    const span = this.spanOf(val);
    return span.start === 0 && span.end === span.source.length ? span.source : span.source.subarray(span.start, span.end);
  }

  /**
   * @internal Where an MDB_val's bytes are, without making a Buffer per value: a range of the buffer over the memory
   * map (read transactions), or a fresh copy (values on pages this write transaction changed live outside the map).
   * The span object is reused: read it before the next call.
   */
  spanOf(val: Buffer): Span {
    // two 32-bit halves: no BigInt per value (addresses and sizes stay below 2^53)
    const size = val.readUInt32LE(0) + val.readUInt32LE(4) * 0x100000000;
    const address = val.readUInt32LE(8) + val.readUInt32LE(12) * 0x100000000;
    const span = this.span;
    if (size === 0) {
      span.source = EMPTY;
      span.start = span.end = 0;
      return span;
    }
    const offset = this.writable ? -1 : this.env.mappedOffset(address, size);
    if (offset >= 0) {
      span.source = this.env.mapBuffer();
      span.start = offset;
      span.end = offset + size;
      return span;
    }
    const copy = Buffer.allocUnsafe(size);
    this.lib.memcpy(copy, address, size);
    span.source = copy;
    span.start = 0;
    span.end = size;
    return span;
  }

  private readonly span: Span = { source: EMPTY, start: 0, end: 0 };

  /** @internal */
  forgetCursor(cursor: Cursor): void {
    this.cursors.delete(cursor);
  }

  private finish(): void {
    for (const cursor of this.cursors) cursor.close();
    this.done = true;
    if (this.writable && this.env.writeTxn === this) this.env.writeTxn = undefined;
  }

  private assertLive(): void {
    if (this.done) throw new Error('This LMDB transaction has ended');
  }
}

/**
 * A cursor over one database. Each move returns whether it landed on an entry. `key` / `value` are Buffers over the
 * entry (views into the map in read transactions); `keySpan` / `valueSpan` give the same bytes as a range of a shared
 * buffer without making a Buffer per entry (for scans that decode each value at once).
 */
export class Cursor {
  readonly keySpan: Span = { source: EMPTY, start: 0, end: 0 };
  readonly valueSpan: Span = { source: EMPTY, start: 0, end: 0 };
  private closed = false;

  constructor(
    private readonly txn: Transaction,
    private readonly address: number,
    private readonly lib: LmdbLibrary,
    private readonly scratch: { keyVal: Buffer; dataVal: Buffer; setKey(key: Buffer): Buffer },
  ) {}

  get key(): Buffer {
    return this.keySpan.source.subarray(this.keySpan.start, this.keySpan.end);
  }

  get value(): Buffer {
    return this.valueSpan.source.subarray(this.valueSpan.start, this.valueSpan.end);
  }

  first(): boolean {
    return this.move(CursorOp.MDB_FIRST);
  }

  last(): boolean {
    return this.move(CursorOp.MDB_LAST);
  }

  next(): boolean {
    return this.move(CursorOp.MDB_NEXT);
  }

  prev(): boolean {
    return this.move(CursorOp.MDB_PREV);
  }

  /** Positions at the first key >= `key`. */
  setRange(key: Buffer): boolean {
    this.scratch.setKey(key);
    return this.move(CursorOp.MDB_SET_RANGE);
  }

  /** Positions at exactly `key`. */
  set(key: Buffer): boolean {
    this.scratch.setKey(key);
    return this.move(CursorOp.MDB_SET_KEY);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.lib.mdb_cursor_close(this.address);
    this.txn.forgetCursor(this);
  }

  private move(op: number): boolean {
    if (this.closed) throw new Error('This LMDB cursor is closed');
    const { keyVal, dataVal } = this.scratch;
    const code = this.lib.mdb_cursor_get(this.address, keyVal, dataVal, op);
    if (code === MDB_NOTFOUND) return false;
    check(this.lib, 'mdb_cursor_get', code);
    copySpan(this.txn.spanOf(keyVal), this.keySpan);
    copySpan(this.txn.spanOf(dataVal), this.valueSpan);
    return true;
  }
}

function copySpan(from: Span, to: Span): void {
  to.source = from.source;
  to.start = from.start;
  to.end = from.end;
}
