/**
 * Every ordinary (not evented) table Quarry ships, grouped by domain. The shell and the daemon call allTables()
 * and add the event tables of the events runtime and buffers themselves.
 */
import type { TableDefinition } from '@quarry/sql';
import { augeasTables } from './augeas/index.js';
import { dockerTables } from './docker/index.js';
import { createFilesTables } from './files/index.js';
import { networkTables } from './network/index.js';
import { osqueryTables, type AgentState } from './osquery/index.js';
import { packagesTables } from './packages/index.js';
import { processesTables } from './processes/index.js';
import { remoteTables } from './remote/index.js';
import { systemTables } from './system/index.js';
import { usersTables } from './users/index.js';
import { createYaraTables, type YaraTableDeps } from './yara/index.js';

export type { AgentState, ExtensionRow, FlagRow, PackRow, RegistryRow, ScheduledQueryRow } from './osquery/index.js';
export { agentVersion, OSQUERY_COMPATIBLE_VERSION, quarryVersion } from './osquery/index.js';
export { hostUuid } from './system/host-uuid.js';

export interface TableDependencies {
  /** What the osquery_* tables report. */
  readonly agent: AgentState;
  /** osquery's --read_max: the most bytes hash and file_events read from one file. */
  readonly readMax?: number;
  /** Tables the engine has beyond these (event tables, quarry_buffers), for osquery_registry. */
  readonly extraTableNames?: () => string[];
  /** osquery's --disable_tables / --enable_tables, comma-separated; the disable list always wins. */
  readonly disableTables?: string;
  readonly enableTables?: string;
  /** The current parsed config, read at every yara query (signature groups, signature_urls). */
  readonly config?: YaraTableDeps['config'];
  /** @quarry/config's Flags, for the yara tables' flags. */
  readonly flags?: YaraTableDeps['flags'];
}

function nameList(text: string | undefined): Set<string> {
  return new Set((text ?? '').split(',').map((name) => name.trim()).filter(Boolean));
}

/** True when osquery's --disable_tables / --enable_tables let a table be registered. */
export function tableEnabled(name: string, disableTables?: string, enableTables?: string): boolean {
  if (nameList(disableTables).has(name)) return false;
  const enabled = nameList(enableTables);
  return enabled.size === 0 || enabled.has(name);
}

export function allTables(deps: TableDependencies): TableDefinition[] {
  const host = [
    ...systemTables,
    ...usersTables,
    ...processesTables,
    ...networkTables,
    ...createFilesTables(deps.readMax === undefined ? {} : { readMax: deps.readMax }),
    ...packagesTables,
    ...createYaraTables({ config: deps.config, flags: deps.flags }),
    ...remoteTables({ config: deps.config }),
    ...augeasTables({ flags: deps.flags }),
    ...dockerTables({ flags: deps.flags }),
  ];
  const names = () => [...selected.map((table) => table.name), ...(deps.extraTableNames?.() ?? [])];
  const selected: TableDefinition[] = [];
  for (const table of [...host, ...osqueryTables(deps.agent, names)]) {
    if (tableEnabled(table.name, deps.disableTables, deps.enableTables)) selected.push(table);
  }
  return selected;
}
export { AtcTableSet, atcTable } from './atc/auto-table-construction.js';
export { ForeignTableSet, foreignTableSpecs } from './foreign/foreign-tables.js';
