import { readFileSync } from 'node:fs';
import type { TableDefinition } from '@quarry/sql';
import type { AgentState } from './agent-state.js';
import { agentVersion } from './version.js';

/** osquery's platform mask for Linux: POSIX (1) | LINUX (8). */
const LINUX_PLATFORM_MASK = 9;

function buildDistro(): string {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    const field = (key: string) => new RegExp(`^${key}="?([^"\n]*)"?$`, 'm').exec(release)?.[1] ?? '';
    return field('VERSION_CODENAME') || field('ID');
  } catch {
    return '';
  }
}

export function osqueryInfoTable(state: AgentState): TableDefinition {
  return {
    name: 'osquery_info',
    description: 'Top level information about the running Quarry instance (osquery_info).',
    attributes: { utility: true },
    columns: [
      { name: 'pid', type: 'INTEGER' },
      { name: 'uuid', type: 'TEXT', collate: 'nocase' },
      { name: 'instance_id', type: 'TEXT' },
      { name: 'version', type: 'TEXT', collate: 'version' },
      { name: 'config_hash', type: 'TEXT', collate: 'nocase' },
      { name: 'config_valid', type: 'INTEGER' },
      { name: 'extensions', type: 'TEXT' },
      { name: 'build_platform', type: 'TEXT' },
      { name: 'build_distro', type: 'TEXT' },
      { name: 'start_time', type: 'INTEGER' },
      { name: 'watcher', type: 'INTEGER' },
      { name: 'platform_mask', type: 'INTEGER' },
    ],
    generate: () => [
      {
        pid: process.pid,
        uuid: state.hostUuid(),
        instance_id: state.instanceId(),
        version: agentVersion(),
        config_hash: state.configValid() ? state.configHash() : '',
        config_valid: state.configValid() ? 1 : 0,
        extensions: (state.extensionsSocket?.() ?? '') !== '' ? 'active' : 'inactive',
        build_platform: process.platform,
        build_distro: buildDistro(),
        start_time: state.startTime,
        watcher: state.watcherPid,
        platform_mask: LINUX_PLATFORM_MASK,
      },
    ],
  };
}
