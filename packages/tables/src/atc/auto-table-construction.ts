/**
 * osquery's auto_table_construction (ATC): the config names tables over SQLite database files, each
 * `{"query": ..., "path": ..., "columns": [...], "platform": ...}`. Every column is TEXT and an implicit `path` column
 * (the file a row came from) is added unless the entry lists `path` itself. `path` may hold `%`/`%%` wildcards;
 * the query runs against every matching file, read-only, with the engine's sqlite-wasm (@quarry/sql querySqliteFile).
 *
 * An entry is checked when the config is applied: a name that an existing table has, a file that is not SQLite, a
 * query that writes or fails, or columns the query does not return give a warning naming the entry and that table is
 * not built; the others are. A path that matches no file yet is a warning too, but the table is built (the file may
 * appear later, e.g. a browser profile). AtcTableSet re-applies the set on every config change.
 */
import { existsSync } from 'node:fs';
import type { AutoTableConstruction } from '@quarry/config';
import { platformMatches, resolveFilePattern } from '@quarry/config';
import { querySqliteFile, SqliteFileError, type Engine, type Row, type TableDefinition } from '@quarry/sql';

/** The files an entry's path names now (a literal path, or the matches of its wildcards). */
function entryFiles(entry: AutoTableConstruction): string[] {
  if (!entry.path.includes('%')) return existsSync(entry.path) ? [entry.path] : [];
  return resolveFilePattern(entry.path).filter((path) => !path.endsWith('/'));
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return String(value);
}

/** The table of one entry (no checks: checkEntry does those). */
export function atcTable(name: string, entry: AutoTableConstruction): TableDefinition {
  const ownPath = entry.columns.includes('path');
  const columns = [...entry.columns, ...(ownPath ? [] : ['path'])];
  return {
    name,
    description: `Automatic table over the SQLite file(s) ${entry.path} (the config's auto_table_construction).`,
    columns: columns.map((column) => ({ name: column, type: 'TEXT' as const })),
    generate: function* (): Iterable<Row> {
      for (const file of entryFiles(entry)) {
        let result;
        try {
          result = querySqliteFile(file, entry.query);
        } catch {
          continue; // a file that changed under us (or went away) gives no rows, as osquery
        }
        for (const source of result.rows) {
          const row: Row = {};
          for (const column of entry.columns) row[column] = text(source[column]);
          if (!ownPath) row.path = file;
          yield row;
        }
      }
    },
  };
}

/** The problem with an entry (the table is then not built), or undefined; `notes` collects non-fatal warnings. */
export function checkEntry(name: string, entry: AutoTableConstruction, notes: string[]): string | undefined {
  const files = entryFiles(entry);
  if (files.length === 0) {
    notes.push(`ATC Table: ${name}: no file matches ${entry.path} yet; the table is built and returns rows once it exists`);
    return undefined;
  }
  for (const file of files) {
    let result;
    try {
      result = querySqliteFile(file, entry.query);
    } catch (error) {
      if (error instanceof SqliteFileError || (error as NodeJS.ErrnoException).code !== undefined) return (error as Error).message;
      throw error;
    }
    const missing = entry.columns.filter((column) => !result.columns.includes(column));
    if (missing.length > 0) {
      return `the query over ${file} returns no column ${missing.join(', ')} (it returns ${result.columns.join(', ') || 'no columns'})`;
    }
  }
  return undefined;
}

/** An engine's ATC tables, kept equal to the config's auto_table_construction. */
export class AtcTableSet {
  private readonly attached = new Map<string, string>();

  constructor(private readonly engine: Engine) {}

  /** Makes the engine's ATC tables those of `entries`; returns warnings naming the entries that were not built. */
  apply(entries: Readonly<Record<string, AutoTableConstruction>> | undefined): string[] {
    const warnings: string[] = [];
    const wanted = new Map(Object.entries(entries ?? {}).filter(([, entry]) => platformMatches(entry.platform)));
    for (const [name, key] of this.attached) {
      const entry = wanted.get(name);
      if (entry && JSON.stringify(entry) === key) continue;
      this.engine.unregister(name);
      this.attached.delete(name);
    }
    for (const [name, entry] of wanted) {
      if (this.attached.has(name)) continue;
      if (this.engine.table(name)) {
        warnings.push(`ATC Table: ${name} overrides core table; Refusing registration`);
        continue;
      }
      const problem = checkEntry(name, entry, warnings);
      if (problem !== undefined) {
        warnings.push(`ATC Table: Skipping ${name}: ${problem}`);
        continue;
      }
      this.engine.register(atcTable(name, entry));
      this.attached.set(name, JSON.stringify(entry));
    }
    return warnings;
  }

  names(): string[] {
    return [...this.attached.keys()];
  }
}
