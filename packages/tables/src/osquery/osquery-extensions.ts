import type { TableDefinition } from '@quarry/sql';
import type { AgentState } from './agent-state.js';
import { agentVersion } from './version.js';

/** The core (uuid 0) and every extension registered with the agent's extension manager. */
export function osqueryExtensionsTable(state: AgentState): TableDefinition {
  return {
    name: 'osquery_extensions',
    description: 'List of active osquery extensions: the core (uuid 0) and each extension registered on the extension manager socket.',
    attributes: { utility: true },
    columns: [
      { name: 'uuid', type: 'BIGINT' },
      { name: 'name', type: 'TEXT' },
      { name: 'version', type: 'TEXT', collate: 'version' },
      { name: 'sdk_version', type: 'TEXT', collate: 'version' },
      { name: 'path', type: 'TEXT' },
      { name: 'type', type: 'TEXT' },
    ],
    generate: () => [
      { uuid: 0, name: 'core', version: agentVersion(), sdk_version: '0.0.0', path: state.extensionsSocket?.() ?? '', type: 'core' },
      ...(state.extensions?.() ?? []),
    ],
  };
}
