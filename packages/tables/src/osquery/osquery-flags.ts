import type { TableDefinition } from '@quarry/sql';
import type { AgentState } from './agent-state.js';

export function osqueryFlagsTable(state: AgentState): TableDefinition {
  return {
    name: 'osquery_flags',
    description: 'Configurable flags that modify Quarry behavior, with their current values.',
    attributes: { utility: true },
    columns: [
      { name: 'name', type: 'TEXT' },
      { name: 'type', type: 'TEXT' },
      { name: 'description', type: 'TEXT' },
      { name: 'default_value', type: 'TEXT' },
      { name: 'value', type: 'TEXT' },
      { name: 'shell_only', type: 'INTEGER' },
    ],
    // osquery leaves out the one- and two-letter shell switches (-L, -A, -S, -D).
    generate: () => state.flagRows().filter((row) => row.name.length > 2),
  };
}
