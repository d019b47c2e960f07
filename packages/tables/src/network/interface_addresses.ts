import { networkInterfaces } from 'node:os';
import type { Row, TableDefinition } from '@quarry/sql';
import { interfaceFlags, IFF_BROADCAST } from './net-sysfs.js';

/** IPv4 broadcast address: the address with every host bit set. */
function broadcastOf(address: string, mask: string): string {
  const a = address.split('.').map(Number);
  const m = mask.split('.').map(Number);
  return a.map((octet, index) => (octet | (~m[index]! & 0xff)) & 0xff).join('.');
}

function* generate(): Iterable<Row> {
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    const flags = interfaceFlags(name);
    for (const entry of addresses ?? []) {
      const isV4 = entry.family === 'IPv4';
      const address = !isV4 && entry.scopeid ? `${entry.address}%${name}` : entry.address;
      const row: Row = { interface: name, address, mask: entry.netmask, type: 'unknown' };
      if (isV4 && (flags & IFF_BROADCAST) !== 0) row.broadcast = broadcastOf(entry.address, entry.netmask);
      yield row;
    }
  }
}

export const interface_addresses: TableDefinition = {
  name: 'interface_addresses',
  description: 'Network interfaces and relevant metadata.',
  attributes: { cacheable: true },
  columns: [
    { name: 'interface', type: 'TEXT', description: 'Interface name' },
    { name: 'address', type: 'TEXT', description: 'Specific address for interface' },
    { name: 'mask', type: 'TEXT', description: 'Interface netmask' },
    { name: 'broadcast', type: 'TEXT', description: 'Broadcast address for the interface' },
    { name: 'point_to_point', type: 'TEXT', description: 'PtP address for the interface' },
    { name: 'type', type: 'TEXT', description: 'Type of address. One of dhcp, manual, auto, other, unknown' },
  ],
  generate,
};
