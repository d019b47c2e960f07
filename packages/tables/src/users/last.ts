import type { TableDefinition } from '@quarry/sql';
import { readUtmpFile, UTMP_TYPE_NAMES } from './utmp.js';

export const WTMP_PATH = '/var/log/wtmp';
const USER_PROCESS = 7;
const DEAD_PROCESS = 8;

/** Login and logout records of /var/log/wtmp (user and dead process entries). */
export const last: TableDefinition = {
  name: 'last',
  description: 'System logins and logouts.',
  attributes: { cacheable: true },
  columns: [
    { name: 'username', type: 'TEXT', description: 'Entry username' },
    { name: 'tty', type: 'TEXT', description: 'Entry terminal' },
    { name: 'pid', type: 'INTEGER', description: 'Process (or thread) ID' },
    { name: 'type', type: 'INTEGER', description: 'Entry type, according to ut_type types (utmp.h)' },
    { name: 'type_name', type: 'TEXT', description: 'Entry type name, according to ut_type types (utmp.h)' },
    { name: 'time', type: 'INTEGER', description: 'Entry timestamp' },
    { name: 'host', type: 'TEXT', description: 'Entry hostname' },
  ],
  *generate() {
    for (const record of readUtmpFile(WTMP_PATH)) {
      if (record.type !== USER_PROCESS && record.type !== DEAD_PROCESS) continue;
      yield {
        username: record.user,
        tty: record.line,
        pid: record.pid,
        type: record.type,
        type_name: UTMP_TYPE_NAMES.get(record.type),
        time: record.time,
        host: record.host,
      };
    }
  },
};
