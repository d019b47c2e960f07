import type { TableDefinition } from '@quarry/sql';
import { quarryVersion } from './version.js';

/** Quarry has no Thrift extension manager: the table lists the core, as osquery does with no extension loaded. */
export const osqueryExtensions: TableDefinition = {
  name: 'osquery_extensions',
  description: 'List of active extensions; Quarry lists only its core (uuid 0).',
  attributes: { utility: true },
  columns: [
    { name: 'uuid', type: 'BIGINT' },
    { name: 'name', type: 'TEXT' },
    { name: 'version', type: 'TEXT', collate: 'version' },
    { name: 'sdk_version', type: 'TEXT', collate: 'version' },
    { name: 'path', type: 'TEXT' },
    { name: 'type', type: 'TEXT' },
  ],
  generate: () => [{ uuid: 0, name: 'core', version: quarryVersion(), sdk_version: '0.0.0', path: '', type: 'core' }],
};
