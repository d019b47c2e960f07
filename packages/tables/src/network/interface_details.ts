import { join } from 'node:path';
import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { listDirectory, readAttribute } from '../system/host-files.js';
import { interfaceFlags, numericAttribute, pciSlotOf, SYS_CLASS_NET } from './net-sysfs.js';

const COUNTERS: ReadonlyArray<readonly [column: string, file: string]> = [
  ['ipackets', 'rx_packets'],
  ['opackets', 'tx_packets'],
  ['ibytes', 'rx_bytes'],
  ['obytes', 'tx_bytes'],
  ['ierrors', 'rx_errors'],
  ['oerrors', 'tx_errors'],
  ['idrops', 'rx_dropped'],
  ['odrops', 'tx_dropped'],
  ['collisions', 'collisions'],
];

function* generate(context: QueryContext): Iterable<Row> {
  for (const name of listDirectory(SYS_CLASS_NET)) {
    const dir = join(SYS_CLASS_NET, name);
    if (readAttribute(dir, 'type') === undefined) continue;
    const row: Row = {
      interface: name,
      mac: readAttribute(dir, 'address') ?? '00:00:00:00:00:00',
      type: numericAttribute(dir, 'type') ?? 0,
      mtu: numericAttribute(dir, 'mtu') ?? 0,
      metric: 0,
      flags: interfaceFlags(name),
      last_change: -1,
    };
    for (const [column, file] of COUNTERS) row[column] = numericAttribute(join(dir, 'statistics'), file) ?? 0;
    if (context.columnsUsed.size === 0 || context.columnsUsed.has('link_speed')) {
      const speed = numericAttribute(dir, 'speed');
      row.link_speed = speed !== null && speed > 0 ? speed : 0;
    }
    if (context.columnsUsed.size === 0 || context.columnsUsed.has('pci_slot')) row.pci_slot = pciSlotOf(name);
    yield row;
  }
}

export const interface_details: TableDefinition = {
  name: 'interface_details',
  description: 'Detailed information and stats of network interfaces.',
  attributes: { cacheable: true },
  columns: [
    { name: 'interface', type: 'TEXT', description: 'Interface name' },
    { name: 'mac', type: 'TEXT', collate: 'nocase', description: 'MAC of interface (optional)' },
    { name: 'type', type: 'INTEGER', description: 'Interface type (includes virtual)' },
    { name: 'mtu', type: 'INTEGER', description: 'Network MTU' },
    { name: 'metric', type: 'INTEGER', description: 'Metric based on the speed of the interface' },
    { name: 'flags', type: 'INTEGER', description: 'Flags (netdevice) for the device' },
    { name: 'ipackets', type: 'BIGINT', description: 'Input packets' },
    { name: 'opackets', type: 'BIGINT', description: 'Output packets' },
    { name: 'ibytes', type: 'BIGINT', description: 'Input bytes' },
    { name: 'obytes', type: 'BIGINT', description: 'Output bytes' },
    { name: 'ierrors', type: 'BIGINT', description: 'Input errors' },
    { name: 'oerrors', type: 'BIGINT', description: 'Output errors' },
    { name: 'idrops', type: 'BIGINT', description: 'Input drops' },
    { name: 'odrops', type: 'BIGINT', description: 'Output drops' },
    { name: 'collisions', type: 'BIGINT', description: 'Packet Collisions detected' },
    { name: 'last_change', type: 'BIGINT', description: 'Time of last device modification (optional)' },
    { name: 'link_speed', type: 'BIGINT', description: 'Interface speed in Mb/s' },
    { name: 'pci_slot', type: 'TEXT', description: 'PCI slot number' },
  ],
  generate,
};
