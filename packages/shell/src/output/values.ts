/**
 * How a result value becomes the text the shell prints. SQLite's text conversion: integers in decimal, doubles
 * with 15 significant digits and a `.0` when the text would otherwise look like an integer (osquery §2.5),
 * blobs as their bytes read as UTF-8. NULL is not handled here: every output mode substitutes its own null text.
 */
import { formatDouble } from '@quarry/sql/format-double';

/** A value as it arrives from a backend (the engine's SqlValue, or a string from a remote daemon). */
export type CellValue = string | number | bigint | boolean | Uint8Array | null | undefined;

/** osquery's result typing: values of a REAL (DOUBLE, FLOAT) column keep their `.0`. */
export function isRealType(type: string | undefined): boolean {
  return type !== undefined && /^(REAL|DOUBLE|FLOAT)$/i.test(type);
}

const utf8 = new TextDecoder('utf-8');

/**
 * Text of a non-NULL value. `real` marks a column value SQLite typed as REAL (an integral double such as 1.0
 * still prints `1.0`); without it, integral numbers print as integers.
 */
export function renderValue(value: CellValue, real = false): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!real && Number.isSafeInteger(value)) return String(value);
    return formatDouble(value);
  }
  return utf8.decode(value);
}

/** Number of Unicode code points, the width osquery's pretty printer uses. */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
