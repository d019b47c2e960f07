import type { TableDefinition } from '@quarry/sql';
import { readUtmpFile, UTMP_TYPE_NAMES } from './utmp.js';

export const UTMP_PATH = '/var/run/utmp';

/** Current sessions from /var/run/utmp (entries of pid 1 are skipped, as osquery does). */
export const loggedInUsers: TableDefinition = {
  name: 'logged_in_users',
  description: 'Users with an active shell on the system.',
  attributes: { cacheable: true },
  columns: [
    { name: 'type', type: 'TEXT', description: 'Login type' },
    { name: 'user', type: 'TEXT', description: 'User login name' },
    { name: 'tty', type: 'TEXT', description: 'Device name' },
    { name: 'host', type: 'TEXT', description: 'Remote hostname' },
    { name: 'time', type: 'BIGINT', description: 'Time entry was made' },
    { name: 'pid', type: 'INTEGER', description: 'Process (or thread) ID' },
  ],
  *generate() {
    for (const record of readUtmpFile(UTMP_PATH)) {
      if (record.pid === 1) continue;
      yield {
        type: UTMP_TYPE_NAMES.get(record.type) ?? 'unknown',
        user: record.user,
        tty: record.line,
        host: record.host,
        time: record.time,
        pid: record.pid,
      };
    }
  },
};
