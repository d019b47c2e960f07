import { cpus, hostname, machine, totalmem } from 'node:os';
import type { TableDefinition } from '@quarry/sql';
import { physicalCoreCount, readCpuInfo } from './cpuinfo.js';
import { dmiAttribute } from './dmi.js';
import { hostUuid } from './host-uuid.js';

/** Host identification: names, CPU, memory, and the SMBIOS system (type 1) and board (type 2) strings. */
export const systemInfo: TableDefinition = {
  name: 'system_info',
  description: 'System information for identification.',
  columns: [
    { name: 'hostname', type: 'TEXT', description: 'Network hostname including domain' },
    { name: 'uuid', type: 'TEXT', collate: 'nocase', description: 'Unique ID provided by the system' },
    { name: 'cpu_type', type: 'TEXT', description: 'CPU type' },
    { name: 'cpu_subtype', type: 'TEXT', description: 'CPU subtype' },
    { name: 'cpu_brand', type: 'TEXT', description: 'CPU brand string, contains vendor and model' },
    { name: 'cpu_physical_cores', type: 'INTEGER', description: 'Number of physical CPU cores in to the system' },
    { name: 'cpu_logical_cores', type: 'INTEGER', description: 'Number of logical CPU cores available to the system' },
    { name: 'cpu_sockets', type: 'INTEGER', description: 'Number of processor sockets in the system' },
    { name: 'cpu_microcode', type: 'TEXT', description: 'Microcode version' },
    { name: 'physical_memory', type: 'BIGINT', description: 'Total physical memory in bytes' },
    { name: 'hardware_vendor', type: 'TEXT', description: 'Hardware vendor' },
    { name: 'hardware_model', type: 'TEXT', description: 'Hardware model' },
    { name: 'hardware_version', type: 'TEXT', description: 'Hardware version' },
    { name: 'hardware_serial', type: 'TEXT', description: 'Device serial number' },
    { name: 'board_vendor', type: 'TEXT', description: 'Board vendor' },
    { name: 'board_model', type: 'TEXT', description: 'Board model' },
    { name: 'board_version', type: 'TEXT', description: 'Board version' },
    { name: 'board_serial', type: 'TEXT', description: 'Board serial number' },
    { name: 'computer_name', type: 'TEXT', description: 'Friendly computer name (optional)' },
    { name: 'local_hostname', type: 'TEXT', description: 'Local hostname (optional)' },
  ],
  *generate() {
    const processors = readCpuInfo();
    const first = processors[0];
    const logical = cpus().length || processors.length;
    const siblings = Number.parseInt(first?.get('siblings') ?? '', 10);
    const name = hostname();
    yield {
      hostname: name,
      uuid: hostUuid(),
      cpu_type: machine(),
      cpu_subtype: first?.get('model') ?? '',
      cpu_brand: first?.get('model name') ?? '',
      cpu_physical_cores: physicalCoreCount(processors) || logical,
      cpu_logical_cores: logical,
      cpu_sockets: siblings > 0 ? Math.max(1, Math.floor(processors.length / siblings)) : 1,
      cpu_microcode: first?.get('microcode') ?? '',
      physical_memory: totalmem(),
      hardware_vendor: dmiAttribute('sys_vendor'),
      hardware_model: dmiAttribute('product_name'),
      hardware_version: dmiAttribute('product_version'),
      hardware_serial: dmiAttribute('product_serial'),
      board_vendor: dmiAttribute('board_vendor'),
      board_model: dmiAttribute('board_name'),
      board_version: dmiAttribute('board_version'),
      board_serial: dmiAttribute('board_serial'),
      computer_name: name,
      local_hostname: name,
    };
  },
};
