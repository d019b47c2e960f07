/**
 * osquery's differential: the previous run's rows against this run's, compared as whole rows in a multiset.
 * Rows are compared by their canonical logged JSON (sorted keys, values as logged).
 */
import type { LoggedRow } from './result-format.js';

export interface Diff {
  added: LoggedRow[];
  removed: LoggedRow[];
}

export function rowKey(row: LoggedRow): string {
  return JSON.stringify(row);
}

export function diffRows(previous: readonly LoggedRow[], current: readonly LoggedRow[]): Diff {
  const remaining = new Map<string, number>();
  for (const row of previous) {
    const key = rowKey(row);
    remaining.set(key, (remaining.get(key) ?? 0) + 1);
  }
  const added: LoggedRow[] = [];
  for (const row of current) {
    const key = rowKey(row);
    const count = remaining.get(key) ?? 0;
    if (count > 0) remaining.set(key, count - 1);
    else added.push(row);
  }
  const removed: LoggedRow[] = [];
  const toRemove = new Map(remaining);
  for (const row of previous) {
    const key = rowKey(row);
    const count = toRemove.get(key) ?? 0;
    if (count > 0) {
      removed.push(row);
      toRemove.set(key, count - 1);
    }
  }
  return { added, removed };
}
