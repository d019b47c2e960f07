import type { TableDefinition } from '@quarry/sql';
import type { AgentState } from './agent-state.js';
import { osqueryExtensions } from './osquery-extensions.js';
import { osqueryFlagsTable } from './osquery-flags.js';
import { osqueryInfoTable } from './osquery-info.js';
import { osqueryPacksTable } from './osquery-packs.js';
import { osqueryRegistryTable } from './osquery-registry.js';
import { osqueryScheduleTable } from './osquery-schedule.js';

export type { AgentState, FlagRow, PackRow, RegistryRow, ScheduledQueryRow } from './agent-state.js';
export { quarryVersion } from './version.js';

/** The osquery_* utility tables over one agent's state. `tableNames` lists every table the engine knows. */
export function osqueryTables(state: AgentState, tableNames: () => string[]): TableDefinition[] {
  return [
    osqueryInfoTable(state),
    osqueryFlagsTable(state),
    osqueryRegistryTable(state, tableNames),
    osqueryExtensions,
    osqueryPacksTable(state),
    osqueryScheduleTable(state),
  ];
}
