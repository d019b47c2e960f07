import type { Row, TableDefinition } from '@quarry/sql';
import { readLines, splitFields } from '../system/host-files.js';

const ATF_COM_PERM = 0x6;

function* generate(): Iterable<Row> {
  for (const line of readLines('/proc/net/arp').slice(1)) {
    const fields = splitFields(line);
    if (fields.length < 6) continue;
    const [address, , flags, mac, , iface] = fields as [string, string, string, string, string, string];
    yield { address, mac, interface: iface, permanent: parseInt(flags, 16) === ATF_COM_PERM ? '1' : '0' };
  }
}

export const arp_cache: TableDefinition = {
  name: 'arp_cache',
  description: 'Address resolution cache, both static and dynamic (from ARP, NDP).',
  columns: [
    { name: 'address', type: 'TEXT', description: 'IPv4 address target' },
    { name: 'mac', type: 'TEXT', collate: 'nocase', description: 'MAC address of broadcasted address' },
    { name: 'interface', type: 'TEXT', description: 'Interface of the network for the MAC' },
    { name: 'permanent', type: 'TEXT', description: '1 for true, 0 for false' },
  ],
  generate,
};
