import { uptime as systemUptime } from 'node:os';
import type { TableDefinition } from '@quarry/sql';

/** Time since boot, from the kernel's boot-time clock (what sysinfo(2) reports; Node reads it through libuv). */
export const uptime: TableDefinition = {
  name: 'uptime',
  description: 'Track time passed since last boot.',
  columns: [
    { name: 'days', type: 'INTEGER', description: 'Days of uptime' },
    { name: 'hours', type: 'INTEGER', description: 'Hours of uptime' },
    { name: 'minutes', type: 'INTEGER', description: 'Minutes of uptime' },
    { name: 'seconds', type: 'INTEGER', description: 'Seconds of uptime' },
    { name: 'total_seconds', type: 'BIGINT', description: 'Total uptime seconds' },
  ],
  *generate() {
    const total = Math.floor(systemUptime());
    yield {
      days: Math.floor(total / 86400),
      hours: Math.floor((total % 86400) / 3600),
      minutes: Math.floor((total % 3600) / 60),
      seconds: total % 60,
      total_seconds: total,
    };
  },
};
