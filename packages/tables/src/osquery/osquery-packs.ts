import type { TableDefinition } from '@quarry/sql';
import type { AgentState } from './agent-state.js';

export function osqueryPacksTable(state: AgentState): TableDefinition {
  return {
    name: 'osquery_packs',
    description: 'Information about the current query packs that are loaded.',
    attributes: { utility: true },
    columns: [
      { name: 'name', type: 'TEXT' },
      { name: 'platform', type: 'TEXT' },
      { name: 'version', type: 'TEXT', collate: 'version' },
      { name: 'shard', type: 'INTEGER' },
      { name: 'discovery_cache_hits', type: 'INTEGER' },
      { name: 'discovery_executions', type: 'INTEGER' },
      { name: 'active', type: 'INTEGER' },
    ],
    generate: () => state.packs(),
  };
}
