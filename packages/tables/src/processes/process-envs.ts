import type { TableDefinition } from '@quarry/sql';
import { readText } from '../system/host-files.js';
import { pidsFromContext } from './proc-reader.js';

/** Environment variables of every process (or the constrained pids) from /proc/<pid>/environ. */
export const processEnvs: TableDefinition = {
  name: 'process_envs',
  description: 'A key/value table of environment variables for each process.',
  columns: [
    { name: 'pid', type: 'INTEGER', index: true, optimized: true, description: 'Process (or thread) ID' },
    { name: 'key', type: 'TEXT', description: 'Environment variable name' },
    { name: 'value', type: 'TEXT', description: 'Environment variable value' },
  ],
  *generate(context) {
    for (const pid of pidsFromContext(context)) {
      const environ = readText(`/proc/${pid}/environ`);
      if (environ === undefined) continue;
      for (const entry of environ.split('\0')) {
        if (entry.length === 0) break;
        const equals = entry.indexOf('=');
        yield equals === -1
          ? { pid, key: entry, value: entry }
          : { pid, key: entry.slice(0, equals), value: entry.slice(equals + 1) };
      }
    }
  },
};
