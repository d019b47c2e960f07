/**
 * --database_dump: prints the database as osquery's dumpDatabase() does — one `<domain>[<key>]: <value>` line per
 * stored value — and exits. Quarry's domains are the daemon's key-value stores (configurations, queries,
 * intervals, fleet) and the event buffers, whose rows print as `events[<table>.<eid>]: <row as JSON>`. Read through
 * @quarry/buffers' public API only (kv(), rings()), as a consumer: a running quarryd keeps running.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Flags } from '@quarry/config';
import { EventStore } from '@quarry/buffers';

/** The key-value domains quarryd writes (scheduler/daemon-state.ts, fleet/fleet-agent.ts). */
export const KEY_VALUE_DOMAINS = ['configurations', 'queries', 'intervals', 'fleet'];

/** The dump's lines; throws when there is no database at `path`. */
export function databaseDumpLines(path: string): string[] {
  if (!existsSync(path)) throw new Error(`There is no database at ${path}; check --database_path`);
  const store = EventStore.open(path, { role: 'consumer' });
  try {
    const lines: string[] = [];
    for (const domain of KEY_VALUE_DOMAINS) {
      const kv = store.kv(domain);
      for (const key of kv.keys().sort()) lines.push(`${domain}[${key}]: ${kv.get(key) ?? ''}`);
    }
    for (const ring of store.rings()) {
      for (const row of ring.peek()) lines.push(`events[${ring.subscriber}.${row.eid}]: ${JSON.stringify(row)}`);
    }
    return lines;
  } finally {
    store.close();
  }
}

/** Prints the dump of --database_path to stdout; 0, or 1 with the reason on stderr. */
export function runDatabaseDump(flags: Flags): number {
  try {
    const lines = databaseDumpLines(resolve(flags.string('database_path')));
    process.stdout.write(lines.map((line) => `${line}\n`).join(''));
    return 0;
  } catch (error) {
    process.stderr.write(`Error: ${(error as Error).message}\n`);
    return 1;
  }
}
