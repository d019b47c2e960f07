import type { TableDefinition } from '@quarry/sql';
import { readText } from './host-files.js';

const PERIODS = ['1m', '5m', '15m'];

/** Load averages over 1, 5 and 15 minutes from /proc/loadavg, formatted as osquery does ("%f": six decimals). */
export const loadAverage: TableDefinition = {
  name: 'load_average',
  description: 'Displays information about the system wide load averages.',
  columns: [
    { name: 'period', type: 'TEXT', description: 'Period over which the average is calculated.' },
    { name: 'average', type: 'TEXT', description: 'Load average over the specified period.' },
  ],
  *generate() {
    const fields = (readText('/proc/loadavg') ?? '').trim().split(/\s+/);
    if (fields.length < 3) return;
    for (let i = 0; i < PERIODS.length; i += 1) {
      yield { period: PERIODS[i], average: Number(fields[i]).toFixed(6) };
    }
  },
};
