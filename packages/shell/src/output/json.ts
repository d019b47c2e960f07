/**
 * --json and --json_pretty: an array of objects whose keys are sorted (osquery's rows are std::maps) and whose
 * values are all strings. NULL becomes the --nullvalue flag.
 */
import { type TextResult, compareNames, winningIndexes } from './result.js';

function sortedObjects(result: TextResult, nullText: string): Record<string, string>[] {
  const source = winningIndexes(result.columns);
  const order = [...new Set(result.columns)].sort(compareNames);
  const positionOf = new Map<string, number>();
  result.columns.forEach((name, column) => positionOf.set(name, source[column] ?? column));
  return result.rows.map((row) => {
    const object: Record<string, string> = {};
    for (const name of order) object[name] = row[positionOf.get(name) ?? 0] ?? nullText;
    return object;
  });
}

export function renderJson(result: TextResult, nullText: string): string {
  const objects = sortedObjects(result, nullText).map((object) => '  ' + JSON.stringify(object));
  return '[\n' + objects.join(',\n') + '\n]\n';
}

export function renderJsonPretty(result: TextResult, nullText: string): string {
  return JSON.stringify(sortedObjects(result, nullText), null, 2) + '\n';
}
