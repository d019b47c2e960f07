/** Typed query rows as the extension API carries them: every value text, as osquery renders it; NULL as ''. */
import { formatDouble, type Row } from '@quarry/sql';

export function textRows(columns: ReadonlyArray<{ name: string; type: string }>, rows: readonly Row[]): Record<string, string>[] {
  const doubles = new Set(columns.filter((column) => column.type === 'DOUBLE').map((column) => column.name));
  return rows.map((row) => {
    const out: Record<string, string> = {};
    for (const key in row) {
      const value = row[key];
      if (value === null || value === undefined) out[key] = '';
      else if (typeof value === 'number') out[key] = doubles.has(key) || !Number.isInteger(value) ? formatDouble(value) : String(value);
      else if (value instanceof Uint8Array) out[key] = Buffer.from(value).toString('utf8');
      else out[key] = String(value);
    }
    return out;
  });
}
