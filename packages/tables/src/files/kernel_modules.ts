import type { Row, TableDefinition } from '@quarry/sql';
import { readLines, splitFields } from '../system/host-files.js';

function* generate(): Iterable<Row> {
  for (const line of readLines('/proc/modules')) {
    const fields = splitFields(line);
    if (fields.length < 6) continue;
    yield { name: fields[0], size: Number(fields[1]), used_by: fields[3], status: fields[4], address: fields[5] };
  }
}

export const kernel_modules: TableDefinition = {
  name: 'kernel_modules',
  description: 'Linux kernel modules both loaded and within the load search path.',
  columns: [
    { name: 'name', type: 'TEXT', description: 'Module name' },
    { name: 'size', type: 'BIGINT', description: 'Size of module content' },
    { name: 'used_by', type: 'TEXT', description: 'Module reverse dependencies' },
    { name: 'status', type: 'TEXT', description: 'Kernel module status' },
    { name: 'address', type: 'TEXT', description: 'Kernel module address' },
  ],
  generate,
};
