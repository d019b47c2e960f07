import type { TableDefinition } from '@quarry/sql';
import { parseColonPairs, readText } from './host-files.js';

/** Column → /proc/meminfo key; values there are kB. */
const FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['memory_total', 'MemTotal'], ['memory_free', 'MemFree'], ['memory_available', 'MemAvailable'],
  ['buffers', 'Buffers'], ['cached', 'Cached'], ['swap_cached', 'SwapCached'], ['active', 'Active'],
  ['inactive', 'Inactive'], ['swap_total', 'SwapTotal'], ['swap_free', 'SwapFree'],
];

/** Main memory and swap in bytes, one row, from /proc/meminfo. */
export const memoryInfo: TableDefinition = {
  name: 'memory_info',
  description: 'Main memory information in bytes.',
  columns: [
    { name: 'memory_total', type: 'BIGINT', description: 'Total amount of physical RAM, in bytes' },
    { name: 'memory_free', type: 'BIGINT', description: 'The amount of physical RAM, in bytes, left unused by the system' },
    { name: 'memory_available', type: 'BIGINT', description: 'The amount of physical RAM, in bytes, available for starting new applications, without swapping' },
    { name: 'buffers', type: 'BIGINT', description: 'The amount of physical RAM, in bytes, used for file buffers' },
    { name: 'cached', type: 'BIGINT', description: 'The amount of physical RAM, in bytes, used as cache memory' },
    { name: 'swap_cached', type: 'BIGINT', description: 'The amount of swap, in bytes, used as cache memory' },
    { name: 'active', type: 'BIGINT', description: 'The total amount of buffer or page cache memory, in bytes, that is in active use' },
    { name: 'inactive', type: 'BIGINT', description: 'The total amount of buffer or page cache memory, in bytes, that are free and available' },
    { name: 'swap_total', type: 'BIGINT', description: 'The total amount of swap available, in bytes' },
    { name: 'swap_free', type: 'BIGINT', description: 'The total amount of swap free, in bytes' },
  ],
  *generate() {
    const text = readText('/proc/meminfo');
    if (text === undefined) return;
    const pairs = parseColonPairs(text);
    const row: Record<string, number> = {};
    for (const [column, key] of FIELDS) {
      const kilobytes = Number.parseInt(pairs.get(key) ?? '', 10);
      if (Number.isFinite(kilobytes)) row[column] = kilobytes * 1024;
    }
    yield row;
  },
};
