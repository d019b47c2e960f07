/**
 * Parses one line of osquery's rsyslog template
 *   %timestamp:::date-rfc3339,csv%,%hostname:::csv%,%syslogseverity:::csv%,%syslogfacility-text:::csv%,%syslogtag:::csv%,%msg:::csv%
 * rsyslog's `csv` option wraps each value in double quotes and doubles the quotes inside it; backslashes are not
 * escaped. As osquery does, each field is trimmed and the tag loses its trailing colon. A line is malformed (and
 * dropped by the publisher) when it does not hold exactly six fields, a quote is left open, or the severity is not
 * a number.
 */
import type { SyslogLineFields } from './syslog-event-context.js';

export type SyslogLineParse = { ok: true; fields: SyslogLineFields } | { ok: false; reason: string };

const FIELD_COUNT = 6;

/** Splits a CSV line: commas outside quotes separate, `""` inside quotes is one quote. Undefined if a quote stays open. */
export function splitRsyslogCsv(line: string): string[] | undefined {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') {
      if (!quoted) quoted = true;
      else if (line[i + 1] === '"') {
        current += '"';
        i++;
      } else quoted = false;
    } else if (c === ',' && !quoted) {
      fields.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (quoted) return undefined;
  fields.push(current);
  return fields;
}

export function parseSyslogCsvLine(line: string): SyslogLineParse {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const raw = splitRsyslogCsv(text);
  if (!raw) return { ok: false, reason: 'a quoted field is not closed' };
  if (raw.length !== FIELD_COUNT) {
    return { ok: false, reason: `${raw.length} field(s) instead of ${FIELD_COUNT} (datetime, host, severity, facility, tag, message)` };
  }
  const [datetime, host, severity, facility, tag, message] = raw.map((value) => value.trim()) as [string, string, string, string, string, string];
  if (!/^\d+$/.test(severity)) return { ok: false, reason: `severity ${JSON.stringify(severity)} is not a number` };
  return {
    ok: true,
    fields: { datetime, host, severity, facility, tag: tag.endsWith(':') ? tag.slice(0, -1) : tag, message },
  };
}
