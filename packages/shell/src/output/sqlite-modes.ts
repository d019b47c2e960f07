/**
 * The modes osqueryi inherited from the sqlite3 shell: line, list, csv and column. Rows stream as they come;
 * headers belong to the first row, so a statement with zero rows prints nothing. NULL prints as `.nullvalue`.
 */
import { codePointLength } from './values.js';
import type { TextResult } from './result.js';

export interface SqliteModeSettings {
  readonly headers: boolean;
  readonly separator: string;
  readonly nullText: string;
  /** `.width` values for column mode (0 = automatic, negative = right-aligned). */
  readonly widths: readonly number[];
}

/** `%*s = %s` per field, the label right-aligned to max(5, longest name); a blank line between records. */
export function renderLine(result: TextResult, settings: SqliteModeSettings): string {
  const width = result.columns.reduce((w, name) => Math.max(w, codePointLength(name)), 5);
  return result.rows
    .map((row) =>
      result.columns
        .map((name, column) => ' '.repeat(width - codePointLength(name)) + name + ' = ' + (row[column] ?? settings.nullText) + '\n')
        .join(''),
    )
    .join('\n');
}

export function renderList(result: TextResult, settings: SqliteModeSettings): string {
  if (result.rows.length === 0) return '';
  let out = settings.headers ? result.columns.join(settings.separator) + '\n' : '';
  for (const row of result.rows) out += row.map((value) => value ?? settings.nullText).join(settings.separator) + '\n';
  return out;
}

/** A field is quoted when it holds a control byte, space, quote, apostrophe, non-ASCII or the separator. */
function csvField(value: string, separator: string): string {
  const needsQuotes = /[\x00-\x20"'\x7f-\u{10ffff}]/u.test(value) || (separator !== '' && value.includes(separator));
  return needsQuotes ? '"' + value.replace(/"/g, '""') + '"' : value;
}

export function renderCsv(result: TextResult, settings: SqliteModeSettings): string {
  if (result.rows.length === 0) return '';
  const line = (values: readonly string[]): string => values.map((v) => csvField(v, settings.separator)).join(settings.separator) + '\n';
  let out = settings.headers ? line(result.columns) : '';
  for (const row of result.rows) {
    out += row.map((value) => (value === null ? settings.nullText : csvField(value, settings.separator))).join(settings.separator) + '\n';
  }
  return out;
}

/** Left-align (or right-align when width < 0) to |width| code points, cutting longer text. */
function fit(text: string, width: number): string {
  const size = Math.abs(width);
  const points = [...text];
  const cut = points.length > size ? points.slice(0, size).join('') : text;
  const pad = ' '.repeat(Math.max(0, size - Math.min(points.length, size)));
  return width < 0 ? pad + cut : cut + pad;
}

/**
 * Widths: `.width` when set, else max(10, header, first row's value). Headers are underlined with dashes;
 * columns are separated by two spaces. The last column of an automatic width is never cut.
 */
export function renderColumn(result: TextResult, settings: SqliteModeSettings): string {
  if (result.rows.length === 0) return '';
  const first = result.rows[0] ?? [];
  const widths = result.columns.map((name, column) => {
    const fixed = settings.widths[column] ?? 0;
    if (fixed !== 0) return fixed;
    return Math.max(10, codePointLength(name), codePointLength(first[column] ?? settings.nullText));
  });
  const last = result.columns.length - 1;
  const line = (values: readonly string[]): string =>
    values
      .map((value, column) => {
        let width = widths[column] ?? 10;
        if (column === last && (settings.widths[column] ?? 0) === 0) width = Math.max(width, codePointLength(value));
        return fit(value, width);
      })
      .join('  ') + '\n';
  let out = '';
  if (settings.headers) {
    out += line(result.columns);
    out += widths.map((width) => '-'.repeat(Math.abs(width))).join('  ') + '\n';
  }
  for (const row of result.rows) out += line(row.map((value) => value ?? settings.nullText));
  return out;
}
