/**
 * osquery's result log lines (reference §4.2), keys in the order osqueryd emits them:
 * event:    {name, hostIdentifier, calendarTime, unixTime, epoch, counter, numerics, [decorations], columns, action}
 * batch:    {diffResults:{removed,added}, name, hostIdentifier, calendarTime, unixTime, epoch, counter, numerics, [decorations]}
 * snapshot: {snapshot:[...], action:"snapshot", name, hostIdentifier, calendarTime, unixTime, epoch, counter, numerics, [decorations]}
 * Row keys are sorted; values are strings unless --logger_numerics (then integers/doubles are JSON numbers).
 */
import type { Row } from '@quarry/sql';

export type LoggedRow = Record<string, string | number>;

export interface ResultHeader {
  name: string;
  hostIdentifier: string;
  /** Unix seconds of the run. */
  unixTime: number;
  epoch: number;
  counter: number;
  numerics: boolean;
  decorations: Record<string, string>;
  decorationsTopLevel: boolean;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** asctime() in UTC without the newline, plus " UTC": `Mon May  2 22:27:32 2016 UTC`. */
export function calendarTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()} UTC`;
}

/** A double as osquery prints it: up to 15 significant digits, with `.0` kept for whole numbers. */
function doubleText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  let text = String(Number(value.toPrecision(15)));
  if (!text.includes('.') && !text.includes('e')) text += '.0';
  return text;
}

/**
 * A whole-number double with --logger_numerics is logged as a JSON number that keeps its `.0` (osquery does), which
 * JSON.stringify cannot write. Such values are held as this marker + text in the row (stable through the stored
 * differential baseline) and turned into bare numbers when a line is serialised (`finishLine`).
 */
const DOUBLE_MARK = '\u0000quarry.double:';
const MARKED_DOUBLE = /"\\u0000quarry\.double:(-?[0-9][0-9.e+-]*)"/g;

function finishLine(text: string): string {
  return text.includes('\\u0000quarry.double:') ? text.replace(MARKED_DOUBLE, '$1') : text;
}

/** A query row as osquery logs it: sorted keys, NULL → "", values as strings (or numbers with --logger_numerics). */
export function loggedRow(row: Row, types: ReadonlyMap<string, string>, numerics: boolean): LoggedRow {
  const out: LoggedRow = {};
  for (const key of Object.keys(row).sort()) {
    const value = row[key];
    const type = (types.get(key) ?? '').toUpperCase();
    const isDouble = type === 'DOUBLE' || type === 'REAL';
    if (value === null || value === undefined) out[key] = '';
    else if (value instanceof Uint8Array) out[key] = Buffer.from(value).toString('utf8');
    else if (typeof value === 'number') {
      if (numerics && isDouble && Number.isInteger(value)) out[key] = `${DOUBLE_MARK}${doubleText(value)}`;
      else if (numerics && (Number.isInteger(value) || isDouble)) out[key] = value;
      else out[key] = isDouble || !Number.isInteger(value) ? doubleText(value) : String(value);
    } else if (typeof value === 'bigint') out[key] = numerics && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
    else out[key] = value;
  }
  return out;
}

function headerObject(header: ResultHeader): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: header.name,
    hostIdentifier: header.hostIdentifier,
    calendarTime: calendarTime(header.unixTime),
    unixTime: header.unixTime,
    epoch: header.epoch,
    counter: header.counter,
    numerics: header.numerics,
  };
  const decorations = Object.keys(header.decorations).length > 0;
  if (decorations && !header.decorationsTopLevel) out.decorations = header.decorations;
  if (decorations && header.decorationsTopLevel) for (const [k, v] of Object.entries(header.decorations)) if (!(k in out)) out[k] = v;
  return out;
}

/** One line per row: removed rows first, then added (osquery's order). */
export function eventLines(header: ResultHeader, removed: LoggedRow[], added: LoggedRow[]): string[] {
  const base = headerObject(header);
  const line = (columns: LoggedRow, action: string) => finishLine(JSON.stringify({ ...base, columns, action }));
  return [...removed.map((row) => line(row, 'removed')), ...added.map((row) => line(row, 'added'))];
}

export function batchLine(header: ResultHeader, removed: LoggedRow[], added: LoggedRow[]): string {
  return finishLine(JSON.stringify({ diffResults: { removed, added }, ...headerObject(header) }));
}

export function snapshotLine(header: ResultHeader, rows: LoggedRow[]): string {
  return finishLine(JSON.stringify({ snapshot: rows, action: 'snapshot', ...headerObject(header) }));
}

/** --logger_snapshot_event_type: each snapshot row as an event line with action "snapshot". */
export function snapshotEventLines(header: ResultHeader, rows: LoggedRow[]): string[] {
  const base = headerObject(header);
  return rows.map((columns) => finishLine(JSON.stringify({ ...base, columns, action: 'snapshot' })));
}
