import type { TableDefinition } from '@quarry/sql';
import { integerValue, readText } from './host-files.js';

const TICK_COLUMNS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guest_nice'];

/** Per-core CPU time in USER_HZ ticks from the cpuN lines of /proc/stat (the aggregate "cpu" line is skipped). */
export const cpuTime: TableDefinition = {
  name: 'cpu_time',
  description: 'Displays information from /proc/stat file about the time the cpu cores spent in different parts of the system.',
  columns: [
    { name: 'core', type: 'INTEGER', description: 'Name of the cpu (core)' },
    ...TICK_COLUMNS.map((name) => ({ name, type: 'BIGINT' as const, description: `Time spent in ${name} mode` })),
  ],
  *generate() {
    for (const line of (readText('/proc/stat') ?? '').split('\n')) {
      const match = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (match === null) continue;
      const values = match[2]!.trim().split(/\s+/);
      const row: Record<string, number | bigint> = { core: Number(match[1]) };
      TICK_COLUMNS.forEach((column, i) => {
        row[column] = integerValue(values[i]) ?? 0;
      });
      yield row;
    }
  },
};
