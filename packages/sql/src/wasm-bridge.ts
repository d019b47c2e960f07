/**
 * The thin layer between JavaScript values and sqlite-wasm memory: reading sqlite3_value / column values, writing
 * results, and installing JS callbacks as wasm function pointers. Hot paths (xColumn, the step loop) call the raw
 * wasm exports directly and reuse one scratch buffer for UTF-8 encoding, which keeps a virtual-table scan within a
 * small factor of a native table scan.
 */
import { formatDouble } from './format-double.js';
import type { SqlValue } from './table.js';
import { SQLITE, type RawExports, type Sqlite3 } from './sqlite-runtime.js';

const decoder = new TextDecoder();
/** Up to this many UTF-16 units, ASCII text is encoded by a JS loop rather than Buffer#utf8Write. */
const SHORT_TEXT = 24;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

export { formatDouble } from './format-double.js';

/**
 * Node's Buffer over the wasm heap: utf8Slice / utf8Write convert straight between JS strings and heap bytes with
 * no intermediate objects (about 2x faster than TextDecoder on a subarray / TextEncoder.encodeInto, and 20-30x
 * faster than building short strings a character at a time, which also left a cons-string per character for the GC).
 * Both replace invalid sequences with U+FFFD exactly as TextDecoder / TextEncoder do.
 */
interface HeapBuffer extends Uint8Array {
  utf8Slice(start: number, end: number): string;
  utf8Write(text: string, offset: number, length: number): number;
}

function heapBuffer(memory: ArrayBuffer): HeapBuffer {
  return Buffer.from(memory) as unknown as HeapBuffer;
}

/** Per-column encoded copies of the last text each column returned (see WasmBridge.resultTextInSlot). */
export class TextSlots {
  readonly texts: Array<string | undefined>;
  readonly pointers: number[];
  readonly lengths: number[];
  readonly capacities: number[];

  constructor(count: number) {
    this.texts = new Array<string | undefined>(count).fill(undefined);
    this.pointers = new Array<number>(count).fill(0);
    this.lengths = new Array<number>(count).fill(0);
    this.capacities = new Array<number>(count).fill(0);
  }
}

/**
 * Per-statement state for columnToJsReusing: each result column's previous text and, for a column that comes
 * straight from a virtual-table column, that table's array of the last text delivered per column.
 */
export class TextReuse {
  readonly previous: Array<string | undefined>;
  readonly sources: Array<Array<string | undefined> | undefined>;
  readonly sourceColumns: number[];

  constructor(count: number) {
    this.previous = new Array<string | undefined>(count).fill(undefined);
    this.sources = new Array<Array<string | undefined> | undefined>(count).fill(undefined);
    this.sourceColumns = new Array<number>(count).fill(0);
  }
}

export class WasmBridge {
  readonly raw: RawExports;
  private heap: Uint8Array;
  private heapBytes: HeapBuffer;
  private scratch = 0;
  private scratchSize = 0;
  private readonly installed: number[] = [];
  /**
   * Result bytes the running statement may still copy out of SQLite (TEXT and BLOB column values, counted before
   * each is copied); going below zero throws ResultSizeError. Infinity: no limit (the engine sets it per statement).
   */
  resultBytesLeft = Infinity;

  constructor(readonly sqlite3: Sqlite3) {
    this.raw = sqlite3.wasm.exports as RawExports;
    this.heap = sqlite3.wasm.heap8u();
    this.heapBytes = heapBuffer(this.heap.buffer as ArrayBuffer);
    this.growScratch(4096);
  }

  private memory(): Uint8Array {
    // Growing wasm memory detaches the old ArrayBuffer, which leaves this view with length 0.
    if (this.heap.length === 0) this.heap = new Uint8Array(this.sqlite3.wasm.memory.buffer as ArrayBuffer);
    return this.heap;
  }

  /** The heap as a Buffer (re-made after wasm memory grew, like memory()). */
  private bytes(): HeapBuffer {
    if (this.heapBytes.length === 0) this.heapBytes = heapBuffer(this.sqlite3.wasm.memory.buffer as ArrayBuffer);
    return this.heapBytes;
  }

  private growScratch(bytes: number): void {
    if (this.scratch) this.raw.sqlite3_free(this.scratch);
    this.scratchSize = Math.max(bytes, this.scratchSize * 2);
    this.scratch = this.raw.sqlite3_malloc(this.scratchSize);
    if (!this.scratch) throw new Error(`out of wasm memory allocating ${this.scratchSize} bytes`);
  }

  /** Allocates with sqlite3_malloc (SQLite may free it). */
  malloc(bytes: number): number {
    const pointer = this.raw.sqlite3_malloc(bytes);
    if (!pointer) throw new Error(`out of wasm memory allocating ${bytes} bytes`);
    this.memory().fill(0, pointer, pointer + bytes);
    return pointer;
  }

  free(pointer: number): void {
    if (pointer) this.raw.sqlite3_free(pointer);
  }

  /** A NUL-terminated UTF-8 copy of `text` allocated with sqlite3_malloc; returns [pointer, byteLength]. */
  cString(text: string): [number, number] {
    const capacity = text.length * 3 + 1;
    const pointer = this.malloc(capacity);
    const length = this.bytes().utf8Write(text, pointer, capacity - 1);
    this.memory()[pointer + length] = 0;
    return [pointer, length];
  }

  /** Reads a NUL-terminated UTF-8 string (0 → null). */
  readCString(pointer: number): string | null {
    if (!pointer) return null;
    const heap = this.memory();
    let end = pointer;
    while (heap[end] !== 0) end++;
    return this.readUtf8(pointer, end - pointer);
  }

  readUtf8(pointer: number, length: number): string {
    if (length === 0) return '';
    const text = this.bytes().utf8Slice(pointer, pointer + length);
    // TextDecoder (used before) drops a leading byte-order mark; keep doing so.
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /**
   * Whether the `length` bytes at `pointer` are exactly the ASCII string `text` (lets a caller reuse a string it
   * already has instead of decoding and allocating an equal one).
   */
  sameAscii(pointer: number, length: number, text: string): boolean {
    if (text.length !== length) return false;
    const heap = this.memory();
    for (let i = 0; i < length; i++) {
      const byte = heap[pointer + i]!;
      if (byte >= 0x80 || byte !== text.charCodeAt(i)) return false;
    }
    return true;
  }

  readBytes(pointer: number, length: number): Uint8Array {
    return this.memory().slice(pointer, pointer + length);
  }

  peek32(pointer: number): number {
    const heap = this.memory();
    return (heap[pointer]! | (heap[pointer + 1]! << 8) | (heap[pointer + 2]! << 16) | (heap[pointer + 3]! << 24)) >>> 0;
  }

  peek8(pointer: number): number {
    return this.memory()[pointer]!;
  }

  poke32(pointer: number, value: number): void {
    const heap = this.memory();
    heap[pointer] = value & 0xff;
    heap[pointer + 1] = (value >>> 8) & 0xff;
    heap[pointer + 2] = (value >>> 16) & 0xff;
    heap[pointer + 3] = (value >>> 24) & 0xff;
  }

  poke8(pointer: number, value: number): void {
    this.memory()[pointer] = value & 0xff;
  }

  pokeDouble(pointer: number, value: number): void {
    new DataView(this.memory().buffer).setFloat64(pointer, value, true);
  }

  pokeInt64(pointer: number, value: bigint): void {
    new DataView(this.memory().buffer).setBigInt64(pointer, value, true);
  }

  peekUint64(pointer: number): bigint {
    return new DataView(this.memory().buffer).getBigUint64(pointer, true);
  }

  /** Installs a JS function as a wasm function pointer; uninstalled by dispose(). */
  install(signature: string, fn: (...args: number[]) => number | void): number {
    const pointer = this.sqlite3.wasm.installFunction(signature, fn) as number;
    this.installed.push(pointer);
    return pointer;
  }

  dispose(): void {
    for (const pointer of this.installed.splice(0)) this.sqlite3.wasm.uninstallFunction(pointer);
    if (this.scratch) this.raw.sqlite3_free(this.scratch);
    this.scratch = 0;
  }

  // ---- results (xColumn, SQL functions) ----

  /**
   * Writes `text` as UTF-8 at `pointer` (room for `capacity` bytes, at least 3 per UTF-16 unit); returns the byte
   * count. Short ASCII text is copied by a plain loop, which beats a native call at these lengths.
   */
  private writeUtf8(text: string, pointer: number, capacity: number): number {
    const length = text.length;
    if (length <= SHORT_TEXT) {
      const heap = this.memory();
      let i = 0;
      for (; i < length; i++) {
        const code = text.charCodeAt(i);
        if (code >= 0x80) break;
        heap[pointer + i] = code;
      }
      if (i === length) return length;
    }
    return this.bytes().utf8Write(text, pointer, capacity);
  }

  resultText(context: number, text: string): void {
    if (text.length * 3 > this.scratchSize) this.growScratch(text.length * 3 + 16);
    // SQLITE_TRANSIENT: SQLite copies the bytes into the result register's own (reused) buffer, so one scratch
    // allocation serves every call; a static pointer would let later calls overwrite values SQLite still holds.
    const written = this.writeUtf8(text, this.scratch, this.scratchSize);
    this.raw.sqlite3_result_text(context, this.scratch, written, SQLITE.TRANSIENT);
  }

  /**
   * resultText for a virtual-table column: each column keeps its own encoded copy of the last string it returned,
   * so a value repeated from row to row (a category, an action, a hash) is not encoded again.
   */
  resultTextInSlot(context: number, text: string, slots: TextSlots, index: number): void {
    if (slots.texts[index] !== text) {
      let capacity = slots.capacities[index]!;
      // Allocated even for '' (a NULL pointer would make SQLite store NULL instead of an empty string).
      if (capacity === 0 || text.length * 3 > capacity) {
        this.free(slots.pointers[index]!);
        slots.pointers[index] = 0;
        slots.texts[index] = undefined;
        capacity = Math.max(64, text.length * 3);
        slots.pointers[index] = this.malloc(capacity);
        slots.capacities[index] = capacity;
      }
      slots.lengths[index] = this.writeUtf8(text, slots.pointers[index]!, capacity);
      slots.texts[index] = text;
    }
    this.raw.sqlite3_result_text(context, slots.pointers[index], slots.lengths[index], SQLITE.TRANSIENT);
  }

  /** Frees the slots' wasm memory (the slots can be used again afterwards). */
  releaseTextSlots(slots: TextSlots): void {
    for (let i = 0; i < slots.pointers.length; i++) {
      this.free(slots.pointers[i]!);
      slots.pointers[i] = 0;
      slots.capacities[i] = 0;
      slots.lengths[i] = 0;
      slots.texts[i] = undefined;
    }
  }

  /** Raw bytes as TEXT (SQLite accepts any bytes in a text value). */
  resultTextBytes(context: number, bytes: Uint8Array): void {
    if (bytes.length + 1 > this.scratchSize) this.growScratch(bytes.length + 16);
    this.memory().set(bytes, this.scratch);
    this.raw.sqlite3_result_text(context, this.scratch, bytes.length, SQLITE.TRANSIENT);
  }

  resultBlob(context: number, bytes: Uint8Array): void {
    if (bytes.length + 1 > this.scratchSize) this.growScratch(bytes.length + 16);
    this.memory().set(bytes, this.scratch);
    this.raw.sqlite3_result_blob(context, this.scratch, bytes.length, SQLITE.TRANSIENT);
  }

  resultInteger(context: number, value: number | bigint): void {
    if (typeof value === 'number') {
      if ((value | 0) === value) {
        this.raw.sqlite3_result_int(context, value);
        return;
      }
      value = Number.isFinite(value) ? BigInt(Math.trunc(value)) : value > 0 ? INT64_MAX : INT64_MIN;
    }
    if (value > INT64_MAX) value = INT64_MAX;
    else if (value < INT64_MIN) value = INT64_MIN;
    this.raw.sqlite3_result_int64(context, value);
  }

  resultDouble(context: number, value: number): void {
    this.raw.sqlite3_result_double(context, value);
  }

  resultNull(context: number): void {
    this.raw.sqlite3_result_null(context);
  }

  resultError(context: number, message: string): void {
    const [pointer, length] = this.cString(message);
    this.raw.sqlite3_result_error(context, pointer, length);
    this.free(pointer);
  }

  /** Natural typing: integral numbers → INTEGER, other numbers → REAL. */
  resultValue(context: number, value: SqlValue | undefined | boolean): void {
    if (value === null || value === undefined) this.resultNull(context);
    else if (typeof value === 'string') this.resultText(context, value);
    else if (typeof value === 'number') {
      if (Number.isInteger(value)) this.resultInteger(context, value);
      else this.resultDouble(context, value);
    } else if (typeof value === 'bigint') this.resultInteger(context, value);
    else if (typeof value === 'boolean') this.resultInteger(context, value ? 1 : 0);
    else this.resultBlob(context, value);
  }

  // ---- values (function arguments, xFilter argv, result columns) ----

  valueType(value: number): number {
    return this.raw.sqlite3_value_type(value);
  }

  valueToJs(value: number): SqlValue {
    switch (this.raw.sqlite3_value_type(value)) {
      case SQLITE.INTEGER: {
        const asDouble = this.raw.sqlite3_value_double(value) as number;
        return Number.isSafeInteger(asDouble) ? asDouble : (this.raw.sqlite3_value_int64(value) as bigint);
      }
      case SQLITE.FLOAT:
        return this.raw.sqlite3_value_double(value);
      case SQLITE.TEXT: {
        const pointer = this.raw.sqlite3_value_text(value);
        return this.readUtf8(pointer, this.raw.sqlite3_value_bytes(value));
      }
      case SQLITE.BLOB: {
        const pointer = this.raw.sqlite3_value_blob(value);
        return this.readBytes(pointer, this.raw.sqlite3_value_bytes(value));
      }
      default:
        return null;
    }
  }

  /** The value's bytes as SQLite renders it as text (numbers as their text form); null for NULL. */
  valueBytes(value: number): Uint8Array | null {
    const type = this.raw.sqlite3_value_type(value);
    if (type === SQLITE.NULL) return null;
    const pointer = type === SQLITE.BLOB ? this.raw.sqlite3_value_blob(value) : this.raw.sqlite3_value_text(value);
    return this.readBytes(pointer, this.raw.sqlite3_value_bytes(value));
  }

  /** The value as text (numbers in SQLite's text form); null for NULL. */
  valueText(value: number): string | null {
    const type = this.raw.sqlite3_value_type(value);
    if (type === SQLITE.NULL) return null;
    const pointer = this.raw.sqlite3_value_text(value);
    return this.readUtf8(pointer, this.raw.sqlite3_value_bytes(value));
  }

  argument(argv: number, index: number): number {
    return this.peek32(argv + 4 * index);
  }

  /** The column as osquery renders it (see formatDouble); null for NULL. */
  columnToText(statement: number, index: number): string | null {
    const raw = this.raw;
    switch (raw.sqlite3_column_type(statement, index)) {
      case SQLITE.NULL:
        return null;
      case SQLITE.FLOAT:
        return formatDouble(raw.sqlite3_column_double(statement, index));
      case SQLITE.BLOB: {
        const pointer = raw.sqlite3_column_blob(statement, index);
        const length = this.blobResultBytes(raw.sqlite3_column_bytes(statement, index));
        return decoder.decode(this.memory().subarray(pointer, pointer + length));
      }
      default: {
        const pointer = raw.sqlite3_column_text(statement, index);
        return this.readUtf8(pointer, this.resultBytes(raw.sqlite3_column_bytes(statement, index)));
      }
    }
  }

  /**
   * columnToJs for result rows, reusing strings instead of decoding and allocating equal ones: a TEXT value whose
   * bytes equal (ASCII) the string a virtual table just delivered for the column it comes from, or else the same
   * column's value in the row before, is returned as that very string. Rows then share strings with the
   * generator's own objects and with each other (an `action`, a `category`, a hash), which is most of the garbage
   * a large result would otherwise leave. Equality is checked byte by byte, so the value is always exact.
   */
  columnToJsReusing(statement: number, index: number, reuse: TextReuse): SqlValue {
    const raw = this.raw;
    if (raw.sqlite3_column_type(statement, index) !== SQLITE.TEXT) return this.columnToJs(statement, index);
    return this.reusedText(raw.sqlite3_column_text(statement, index), raw.sqlite3_column_bytes(statement, index), index, reuse);
  }

  /** columnToText with the same reuse of strings as columnToJsReusing. */
  columnToTextReusing(statement: number, index: number, reuse: TextReuse): string | null {
    const raw = this.raw;
    const type = raw.sqlite3_column_type(statement, index);
    if (type !== SQLITE.TEXT && type !== SQLITE.INTEGER) return this.columnToText(statement, index);
    return this.reusedText(raw.sqlite3_column_text(statement, index), raw.sqlite3_column_bytes(statement, index), index, reuse);
  }

  private reusedText(pointer: number, length: number, index: number, reuse: TextReuse): string {
    this.resultBytes(length);
    const source = reuse.sources[index];
    if (source !== undefined) {
      const delivered = source[reuse.sourceColumns[index]!];
      if (delivered !== undefined && this.sameAscii(pointer, length, delivered)) return delivered;
    }
    const last = reuse.previous[index];
    if (last !== undefined && this.sameAscii(pointer, length, last)) return last;
    const text = this.readUtf8(pointer, length);
    reuse.previous[index] = text;
    return text;
  }

  columnToJs(statement: number, index: number): SqlValue {
    const raw = this.raw;
    switch (raw.sqlite3_column_type(statement, index)) {
      case SQLITE.INTEGER: {
        const asDouble = raw.sqlite3_column_double(statement, index) as number;
        return Number.isSafeInteger(asDouble) ? asDouble : (raw.sqlite3_column_int64(statement, index) as bigint);
      }
      case SQLITE.FLOAT:
        return raw.sqlite3_column_double(statement, index);
      case SQLITE.TEXT: {
        const pointer = raw.sqlite3_column_text(statement, index);
        return this.readUtf8(pointer, this.resultBytes(raw.sqlite3_column_bytes(statement, index)));
      }
      case SQLITE.BLOB: {
        const pointer = raw.sqlite3_column_blob(statement, index);
        return this.readBytes(pointer, this.blobResultBytes(raw.sqlite3_column_bytes(statement, index)));
      }
      default:
        return null;
    }
  }

  /** Counts `length` result bytes against resultBytesLeft before they are copied; returns `length`. */
  private resultBytes(length: number): number {
    if ((this.resultBytesLeft -= length) < 0) throw new ResultSizeError();
    return length;
  }

  /**
   * A BLOB counts three times its bytes: callers deliver it as text (JSON, the shell), where each byte that is not
   * UTF-8 becomes U+FFFD, three bytes. Returns `length`.
   */
  private blobResultBytes(length: number): number {
    if ((this.resultBytesLeft -= 3 * length) < 0) throw new ResultSizeError();
    return length;
  }
}

/** A statement's result went over EngineOptions.maxResultBytes (the engine adds the limit to the message). */
export class ResultSizeError extends Error {
  constructor() {
    super('result size limit reached');
    this.name = 'ResultSizeError';
  }
}
