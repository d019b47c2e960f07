/**
 * osqueryi's default output: a boxed table, widths in code points, printed once the statement finished.
 * Zero rows print nothing. NULL prints as the --nullvalue flag (the .nullvalue command does not apply).
 */
import { codePointLength } from './values.js';
import { type TextResult, winningIndexes } from './result.js';

export function renderPretty(result: TextResult, nullText: string): string {
  if (result.rows.length === 0 || result.columns.length === 0) return '';
  const source = winningIndexes(result.columns);
  const cells = result.rows.map((row) => source.map((index) => row[index] ?? nullText));
  const widths = result.columns.map((name, column) =>
    cells.reduce((width, row) => Math.max(width, codePointLength(row[column] ?? '')), codePointLength(name)),
  );
  const separator = '+' + widths.map((width) => '-'.repeat(width + 2) + '+').join('') + '\n';
  const line = (values: readonly string[]): string =>
    values.map((value, column) => '| ' + value + ' '.repeat((widths[column] ?? 0) - codePointLength(value) + 1)).join('') + '|\n';
  let out = separator + line(result.columns) + separator;
  for (const row of cells) out += line(row);
  return out + separator;
}
