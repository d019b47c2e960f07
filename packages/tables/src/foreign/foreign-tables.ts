/**
 * --enable_foreign: osquery's tables of the other platforms (macOS, Windows, FreeBSD) with osquery's columns, returning
 * no rows, so one cross-platform query pack runs everywhere (osquery registers the same no-op tables). The tables
 * are data (foreign-table-data.ts); ForeignTableSet adds or removes them as the flag changes (it is a config option).
 */
import type { ColumnType, Engine, TableDefinition } from '@quarry/sql';
import { FOREIGN_TABLE_DATA } from './foreign-table-data.js';

const TYPES: Record<string, ColumnType> = { T: 'TEXT', I: 'INTEGER', B: 'BIGINT', U: 'UNSIGNED BIGINT', D: 'DOUBLE', X: 'BLOB' };

export interface ForeignTableSpec {
  name: string;
  /** osquery's platforms for the table: darwin, windows, freebsd (comma-separated). */
  platforms: string;
  columns: Array<{ name: string; type: ColumnType; hidden: boolean }>;
}

/** Parses the data: one table a line, `name platforms column:T column:B~ ...` (`~` = hidden). */
export function foreignTableSpecs(data: string = FOREIGN_TABLE_DATA): ForeignTableSpec[] {
  return data
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [name, platforms, ...columns] = line.split(/\s+/);
      return {
        name: name!,
        platforms: platforms!,
        columns: columns.map((column) => {
          const match = /^([a-z0-9_]+):([TIBUDX])(~?)$/i.exec(column);
          if (!match) throw new Error(`foreign table ${name}: bad column "${column}"`);
          return { name: match[1]!, type: TYPES[match[2]!.toUpperCase()]!, hidden: match[3] === '~' };
        }),
      };
    });
}

export function foreignTable(spec: ForeignTableSpec): TableDefinition {
  return {
    name: spec.name,
    description: `osquery's ${spec.platforms} table, registered by --enable_foreign: it returns no rows on Linux.`,
    columns: spec.columns.map((column) => ({ name: column.name, type: column.type, ...(column.hidden ? { hidden: true } : {}) })),
    generate: () => [],
  };
}

/** The foreign tables of an engine: all of them while --enable_foreign is on, none otherwise. */
export class ForeignTableSet {
  private attached: string[] = [];

  constructor(private readonly engine: Engine) {}

  apply(enabled: boolean): void {
    if (enabled === this.attached.length > 0) return;
    if (!enabled) {
      for (const name of this.attached) this.engine.unregister(name);
      this.attached = [];
      return;
    }
    for (const spec of foreignTableSpecs()) {
      if (this.engine.table(spec.name)) continue; // a table Quarry has on Linux wins
      this.engine.register(foreignTable(spec));
      this.attached.push(spec.name);
    }
  }
}
