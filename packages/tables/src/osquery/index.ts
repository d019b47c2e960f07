import type { TableDefinition } from '@quarry/sql';
import type { AgentState } from './agent-state.js';
import { osqueryExtensionsTable } from './osquery-extensions.js';
import { osqueryFlagsTable } from './osquery-flags.js';
import { osqueryInfoTable } from './osquery-info.js';
import { osqueryPacksTable } from './osquery-packs.js';
import { osqueryRegistryTable } from './osquery-registry.js';
import { osqueryScheduleTable } from './osquery-schedule.js';

export type { AgentState, ExtensionRow, FlagRow, PackRow, RegistryRow, ScheduledQueryRow } from './agent-state.js';
export { agentVersion, OSQUERY_COMPATIBLE_VERSION, quarryVersion } from './version.js';

/** The osquery_* utility tables over one agent's state. `tableNames` lists every table the engine knows. */
export function osqueryTables(state: AgentState, tableNames: () => string[]): TableDefinition[] {
  return [
    osqueryInfoTable(state),
    osqueryFlagsTable(state),
    osqueryRegistryTable(state, tableNames),
    osqueryExtensionsTable(state),
    osqueryPacksTable(state),
    osqueryScheduleTable(state),
  ];
}
