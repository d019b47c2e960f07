import type { TableDefinition } from '@quarry/sql';
import type { AgentState } from './agent-state.js';

/** Every table plugin, plus whatever else the agent registered (publishers, subscribers, loggers, config). */
export function osqueryRegistryTable(state: AgentState, tableNames: () => string[]): TableDefinition {
  return {
    name: 'osquery_registry',
    description: 'Registered plugins: tables, event publishers and subscribers, loggers and config.',
    attributes: { utility: true },
    columns: [
      { name: 'registry', type: 'TEXT' },
      { name: 'name', type: 'TEXT' },
      { name: 'owner_uuid', type: 'INTEGER' },
      { name: 'internal', type: 'INTEGER' },
      { name: 'active', type: 'INTEGER' },
    ],
    *generate() {
      for (const name of tableNames().sort()) yield { registry: 'table', name, owner_uuid: 0, internal: 0, active: 1 };
      yield* state.registry();
    },
  };
}
