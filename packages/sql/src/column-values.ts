/**
 * How a generator's value becomes the SQL value of its column, honouring the declared osquery type:
 * INTEGER/BIGINT columns turn numeric text into integers ('' and non-numeric text → NULL), UNSIGNED BIGINT wraps
 * into SQLite's signed 64-bit range as osquery does, DOUBLE parses text, TEXT renders numbers as text.
 */
import type { Collation, ColumnDefinition, ColumnType, SqlValue } from './table.js';

export type ColumnKind = 'text' | 'integer' | 'unsigned' | 'double' | 'blob';

export function columnKind(type: ColumnType): ColumnKind {
  switch (type) {
    case 'INTEGER':
    case 'BIGINT':
      return 'integer';
    case 'UNSIGNED BIGINT':
      return 'unsigned';
    case 'DOUBLE':
      return 'double';
    case 'BLOB':
      return 'blob';
    default:
      return 'text';
  }
}

const INTEGER_TEXT = /^[-+]?\d+$/;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

function clampSigned(value: bigint): bigint {
  return value > INT64_MAX ? INT64_MAX : value < INT64_MIN ? INT64_MIN : value;
}

function integerFromText(text: string, unsigned: boolean): number | bigint | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (INTEGER_TEXT.test(trimmed)) {
    if (trimmed.length <= 15) return parseInt(trimmed, 10);
    const big = BigInt(trimmed);
    const wrapped = unsigned && big >= 0n && big < 1n << 64n ? BigInt.asIntN(64, big) : clampSigned(big);
    return Number.isSafeInteger(Number(wrapped)) ? Number(wrapped) : wrapped;
  }
  const asNumber = Number(trimmed);
  return Number.isFinite(asNumber) ? Math.trunc(asNumber) : null;
}

function integerFromNumber(value: number | bigint, unsigned: boolean): number | bigint {
  if (typeof value === 'bigint') {
    const wrapped = unsigned && value >= 0n && value < 1n << 64n ? BigInt.asIntN(64, value) : clampSigned(value);
    return Number.isSafeInteger(Number(wrapped)) ? Number(wrapped) : wrapped;
  }
  if (Number.isSafeInteger(value)) return value;
  if (!Number.isFinite(value)) return value > 0 ? INT64_MAX : INT64_MIN;
  const truncated = Math.trunc(value);
  if (Number.isSafeInteger(truncated)) return truncated;
  return integerFromNumber(BigInt(truncated), unsigned);
}

const textDecoder = new TextDecoder();

/** The SQL value a column delivers for a generator value (the same conversion xColumn applies). */
export function toColumnValue(value: SqlValue | undefined, kind: ColumnKind): SqlValue {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'text':
      if (typeof value === 'string' || value instanceof Uint8Array) return value;
      return String(value);
    case 'integer':
    case 'unsigned':
      if (typeof value === 'string') return integerFromText(value, kind === 'unsigned');
      if (value instanceof Uint8Array) return integerFromText(textDecoder.decode(value), kind === 'unsigned');
      return integerFromNumber(value, kind === 'unsigned');
    case 'double': {
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      const text = typeof value === 'string' ? value : textDecoder.decode(value);
      if (text.trim() === '') return null;
      const parsed = Number(text);
      return Number.isNaN(parsed) ? null : parsed;
    }
    default:
      if (typeof value === 'number' || typeof value === 'bigint') return String(value);
      return value;
  }
}

function collationKey(text: string, collation: Collation | undefined): string {
  if (collation === 'nocase') return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (collation === 'rtrim') return text.replace(/ +$/, '');
  return text;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `column = candidate` as SQLite would judge it for a column of this kind (used for IN lists the engine consumes
 * whole, where SQLite leaves the check to the virtual table).
 */
export function columnEquals(value: SqlValue, candidate: SqlValue, column: ColumnDefinition, kind: ColumnKind): boolean {
  if (value === null || candidate === null) return false;
  if (kind === 'integer' || kind === 'unsigned' || kind === 'double') {
    const right = typeof candidate === 'string' ? (candidate.trim() === '' ? NaN : Number(candidate)) : candidate;
    if (right instanceof Uint8Array || typeof value === 'string' || value instanceof Uint8Array) {
      return String(value) === String(candidate);
    }
    if (typeof right === 'number' && Number.isNaN(right)) return String(value) === String(candidate);
    // eslint-disable-next-line eqeqeq
    return value == right;
  }
  if (value instanceof Uint8Array || candidate instanceof Uint8Array) {
    return value instanceof Uint8Array && candidate instanceof Uint8Array && bytesEqual(value, candidate);
  }
  return collationKey(String(value), column.collate) === collationKey(String(candidate), column.collate);
}
