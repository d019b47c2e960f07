// Parsing of audit record text: `audit(<sec>.<msec>:<serial>): key=value key="quoted" key=HEX msg='...'`.
// The parser never throws: text that is not an audit record gives { ok: false, error }.
import { recordTypeName } from './record-types.js';

export interface AuditRecord {
  type: number;
  /** Record type name, e.g. "SYSCALL" (UNKNOWN[n] for numbers this package does not know). */
  typeName: string;
  /** Event time: whole seconds since the epoch and the millisecond part. */
  seconds: number;
  milliseconds: number;
  /** Event serial number; records of one event share time and serial. */
  serial: number;
  /** `<sec>.<msec>:<serial>` exactly as logged: the event id. */
  id: string;
  /**
   * key → value as logged (double quotes kept, hex left encoded; use decodeAuditString). The first occurrence of a key
   * wins. For `msg='...'` the value is the text between the single quotes, and the key=value pairs inside it are
   * also added when the record has no top-level field of that name (as osquery does for USER_* records).
   */
  fields: Map<string, string>;
  /** The whole text as received. */
  text: string;
}

export type AuditParseResult = { ok: true; record: AuditRecord } | { ok: false; error: string };

const PREFIX = 'audit(';

function isDigits(text: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Parses one record. Never throws. */
export function parseAuditRecord(type: number, text: string): AuditParseResult {
  if (typeof text !== 'string') return { ok: false, error: 'audit record text is not a string' };
  if (!Number.isInteger(type) || type < 0 || type > 0xffff) return { ok: false, error: `audit record type ${String(type)} is not a 16-bit number` };
  const start = text.indexOf(PREFIX);
  if (start !== 0) return { ok: false, error: `audit record does not start with "audit(": ${preview(text)}` };
  const close = text.indexOf('):', PREFIX.length);
  if (close < 0) return { ok: false, error: `audit record header has no closing "):": ${preview(text)}` };
  const dot = text.indexOf('.', PREFIX.length);
  const colon = text.indexOf(':', PREFIX.length);
  if (dot < 0 || colon < 0 || !(dot < colon && colon < close)) {
    return { ok: false, error: `audit record header is not "audit(<sec>.<msec>:<serial>)": ${preview(text)}` };
  }
  if (!isDigits(text, PREFIX.length, dot) || !isDigits(text, dot + 1, colon) || !isDigits(text, colon + 1, close)) {
    return { ok: false, error: `audit record header has non-digits in "audit(<sec>.<msec>:<serial>)": ${preview(text)}` };
  }
  const seconds = Number(text.slice(PREFIX.length, dot));
  const milliseconds = Number(text.slice(dot + 1, colon));
  const serial = Number(text.slice(colon + 1, close));
  if (!Number.isSafeInteger(seconds) || !Number.isSafeInteger(milliseconds) || !Number.isSafeInteger(serial)) {
    return { ok: false, error: `audit record header numbers are too large: ${preview(text)}` };
  }
  const fields = new Map<string, string>();
  tokenize(text, close + 2, text.length, fields, true);
  return {
    ok: true,
    record: {
      type,
      typeName: recordTypeName(type),
      seconds,
      milliseconds,
      serial,
      id: text.slice(PREFIX.length, close),
      fields,
      text,
    },
  };
}

function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function isSeparator(c: number): boolean {
  // space, tab, newline, and the 0x1d group separator auditd uses before enriched fields
  return c === 32 || c === 9 || c === 10 || c === 0x1d;
}

/** Splits `k=v` tokens from text[from, to) into fields (first occurrence wins). */
function tokenize(text: string, from: number, to: number, fields: Map<string, string>, outer: boolean): void {
  let i = from;
  while (i < to) {
    while (i < to && isSeparator(text.charCodeAt(i))) i++;
    if (i >= to) break;
    // key: up to '=' or a separator
    const keyStart = i;
    while (i < to && text.charCodeAt(i) !== 61 && !isSeparator(text.charCodeAt(i))) i++;
    if (i >= to || text.charCodeAt(i) !== 61) continue; // a bare word (e.g. SELinux "avc:  denied"), skipped
    const key = text.slice(keyStart, i);
    i++; // '='
    const first = i < to ? text.charCodeAt(i) : -1;
    let value: string;
    if (first === 34 /* " */) {
      const end = text.indexOf('"', i + 1);
      const stop = end < 0 || end >= to ? to : end + 1;
      value = text.slice(i, stop);
      i = stop;
    } else if (first === 39 /* ' */ && outer) {
      // msg='...': runs to the last quote followed by a separator or the end.
      let end = -1;
      for (let j = i + 1; j < to; j++) {
        if (text.charCodeAt(j) === 39 && (j + 1 >= to || isSeparator(text.charCodeAt(j + 1)))) end = j;
      }
      const stop = end < 0 ? to : end;
      value = text.slice(i + 1, stop);
      if (key.length > 0 && !fields.has(key)) fields.set(key, value);
      const inner = new Map<string, string>();
      tokenize(text, i + 1, stop, inner, false);
      for (const [k, v] of inner) if (!fields.has(k)) fields.set(k, v);
      i = end < 0 ? to : end + 1;
      continue;
    } else {
      const valueStart = i;
      while (i < to && !isSeparator(text.charCodeAt(i))) i++;
      value = text.slice(valueStart, i);
    }
    if (key.length > 0 && !fields.has(key)) fields.set(key, value);
  }
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Bytes of a hex string, or undefined when it is not one (odd length, other characters, or empty). */
export function hexToBytes(hex: string): Buffer | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0) return undefined;
  const out = Buffer.allocUnsafe(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(hex.charCodeAt(2 * i));
    const lo = hexNibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = hi * 16 + lo;
  }
  return out;
}

/**
 * Decodes a string field as the kernel logs it: `"text"` → text; an unquoted hex string (used when the text has
 * spaces, quotes or control bytes) → its bytes as UTF-8; anything else (`(null)`, `?`, numbers) is returned as is.
 * Use it on string fields only (exe, comm, name, cwd, aN, proctitle, ...): a number such as `10` is also valid hex.
 */
export function decodeAuditString(value: string): string {
  if (value.length >= 2 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) return value.slice(1, -1);
  const bytes = hexToBytes(value);
  return bytes ? bytes.toString('utf8') : value;
}

/** Raw bytes of a string field (see decodeAuditString), for arguments that are not valid UTF-8. */
export function decodeAuditBytes(value: string): Buffer {
  if (value.length >= 2 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) return Buffer.from(value.slice(1, -1), 'utf8');
  return hexToBytes(value) ?? Buffer.from(value, 'utf8');
}

export type ExecveArgumentsResult = { ok: true; argv: string[]; complete: boolean } | { ok: false; error: string };

/**
 * Rebuilds argv from one or more EXECVE records of one event: `argc`, `aN`, and for long arguments `aN_len` (the
 * logged length: hex characters) with chunks `aN[0]`, `aN[1]`, ... (joined as bytes in numeric order). `complete` is false when an argument below argc
 * is missing (e.g. the kernel split the arguments over records not all received). Never throws.
 */
export function execveArguments(records: ReadonlyArray<{ fields: ReadonlyMap<string, string> }>): ExecveArgumentsResult {
  const fields = new Map<string, string>();
  for (const r of records) for (const [k, v] of r.fields) if (!fields.has(k)) fields.set(k, v);
  const argcText = fields.get('argc');
  if (argcText === undefined) return { ok: false, error: 'EXECVE record has no argc field' };
  const argc = Number(argcText);
  if (!Number.isSafeInteger(argc) || argc < 0 || argc > 1 << 20) return { ok: false, error: `EXECVE argc "${argcText}" is not a count` };
  const argv: string[] = [];
  let complete = true;
  for (let n = 0; n < argc; n++) {
    const whole = fields.get(`a${n}`);
    if (whole !== undefined) {
      argv.push(decodeAuditString(whole));
      continue;
    }
    const lenText = fields.get(`a${n}_len`);
    if (lenText === undefined) {
      complete = false;
      argv.push('');
      continue;
    }
    const chunks: Buffer[] = [];
    let loggedLength = 0;
    for (let c = 0; ; c++) {
      const chunk = fields.get(`a${n}[${c}]`);
      if (chunk === undefined) break;
      chunks.push(decodeAuditBytes(chunk));
      loggedLength += chunk.charCodeAt(0) === 34 ? chunk.length - 2 : chunk.length;
    }
    const bytes = Buffer.concat(chunks);
    // aN_len counts the logged characters: twice the bytes when the chunks are hex, as the kernel always logs them.
    if (loggedLength !== Number(lenText) && bytes.length !== Number(lenText)) complete = false;
    argv.push(bytes.toString('utf8'));
  }
  return { ok: true, argv, complete };
}

/** A parser that counts what it accepted and rejected (for metrics), keeping the last rejection's reason. */
export class AuditRecordParser {
  parsed = 0;
  rejected = 0;
  lastError: string | undefined;

  parse(type: number, text: string): AuditRecord | undefined {
    const result = parseAuditRecord(type, text);
    if (result.ok) {
      this.parsed++;
      return result.record;
    }
    this.rejected++;
    this.lastError = result.error;
    return undefined;
  }
}
