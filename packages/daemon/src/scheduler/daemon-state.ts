/**
 * The scheduler's persistent state in the daemon's LMDB key-values, in osquery's domains:
 * - queries:        `<name>` → previous differential results {rows, counter, epoch, sql}
 * - intervals:      `interval.<name>` → "interval:splay"
 * - configurations: `executing_query`, `failed_queries` (JSON object name → expiry), `instance_id`
 */
import { randomUUID } from 'node:crypto';
import type { LoggedRow } from '../results/result-format.js';
import type { KeyValue } from '../store/store-types.js';

export interface StoredResults {
  rows: LoggedRow[];
  counter: number;
  epoch: number;
  sql: string;
}

export class DaemonState {
  private readonly queries: KeyValue;
  private readonly intervals: KeyValue;
  private readonly configurations: KeyValue;

  constructor(kv: (name: string) => KeyValue) {
    this.queries = kv('queries');
    this.intervals = kv('intervals');
    this.configurations = kv('configurations');
  }

  instanceId(): string {
    let id = this.configurations.get('instance_id');
    if (!id) {
      id = randomUUID();
      this.configurations.putSync('instance_id', id);
    }
    return id;
  }

  results(name: string): StoredResults | undefined {
    const text = this.queries.get(name);
    if (!text) return undefined;
    try {
      return JSON.parse(text) as StoredResults;
    } catch {
      return undefined;
    }
  }

  saveResults(name: string, results: StoredResults): void {
    this.queries.putSync(name, JSON.stringify(results));
  }

  /** Persisted splay for an interval; a new one is drawn when the interval changed. */
  splayedInterval(name: string, interval: number, splayPercent: number): number {
    const key = `interval.${name}`;
    const stored = this.intervals.get(key);
    if (stored) {
      const [base, splay] = stored.split(':').map(Number);
      if (base === interval && Number.isInteger(splay) && splay! > 0) return splay!;
    }
    const splay = splayValue(interval, splayPercent);
    this.intervals.putSync(key, `${interval}:${splay}`);
    return splay;
  }

  executingQuery(): string {
    return this.configurations.get('executing_query') ?? '';
  }

  setExecutingQuery(name: string): void {
    this.configurations.putSync('executing_query', name);
  }

  failedQueries(): Map<string, number> {
    const out = new Map<string, number>();
    const text = this.configurations.get('failed_queries');
    if (!text) return out;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return out;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return out;
    for (const [name, expiry] of Object.entries(parsed as Record<string, unknown>)) {
      if (name && typeof expiry === 'number' && Number.isFinite(expiry)) out.set(name, expiry);
    }
    return out;
  }

  saveFailedQueries(map: Map<string, number>): void {
    this.configurations.putSync('failed_queries', JSON.stringify(Object.fromEntries(map)));
  }
}

/** osquery's splay: a random integer in [max(1, i − i·p/100), i + i·p/100]; p outside 1..100 → 10. */
export function splayValue(interval: number, percent: number): number {
  const p = percent > 0 && percent <= 100 ? percent : 10;
  const difference = Math.floor((interval * p) / 100);
  const max = interval + difference;
  const min = Math.max(1, interval - difference);
  if (max <= min) return max;
  return min + Math.floor(Math.random() * (max - min + 1));
}
