import type { Row, TableDefinition } from '@quarry/sql';
import { ipv6FromHex } from './ip-address.js';
import { readLines, splitFields } from '../system/host-files.js';

const RTF_GATEWAY = 0x2;
const RTF_REJECT = 0x200;
const RTF_ANYCAST = 0x100000;
const RTF_LOCAL = 0x80000000;

/** /proc/net/route stores IPv4 addresses as host-order (little-endian) hex. */
function ipv4FromHex(hex: string): string {
  const value = parseInt(hex, 16) >>> 0;
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24].join('.');
}

function prefixLengthOfMask(hex: string): number {
  let bits = parseInt(hex, 16) >>> 0;
  let count = 0;
  while (bits) {
    count += bits & 1;
    bits >>>= 1;
  }
  return count;
}

/** osquery reports host routes (/32, /128) with netmask 0. */
function reportedMask(prefix: number, hostLength: number): number {
  return prefix === hostLength ? 0 : prefix;
}

function* ipv4Routes(): Iterable<Row> {
  for (const line of readLines('/proc/net/route').slice(1)) {
    const fields = splitFields(line);
    if (fields.length < 11) continue;
    const [iface, destination, gateway, flagsHex, , , metric, mask, mtu] = fields as [string, string, string, string, string, string, string, string, string];
    const flags = parseInt(flagsHex, 16);
    const row: Row = {
      destination: ipv4FromHex(destination),
      netmask: reportedMask(prefixLengthOfMask(mask), 32),
      flags: 0,
      interface: iface,
      mtu: Number(mtu),
      metric: Number(metric),
      type: (flags & RTF_REJECT) !== 0 ? 'other' : 'gateway',
      hopcount: 0,
    };
    if ((flags & RTF_GATEWAY) !== 0) row.gateway = ipv4FromHex(gateway);
    yield row;
  }
}

function ipv6Type(flags: number, destination: string): string {
  if ((flags & RTF_LOCAL) !== 0) return 'local';
  if ((flags & RTF_ANYCAST) !== 0) return 'anycast';
  if ((flags & RTF_REJECT) !== 0 || destination.toLowerCase().startsWith('ff')) return 'other';
  return 'gateway';
}

function* ipv6Routes(): Iterable<Row> {
  for (const line of readLines('/proc/net/ipv6_route')) {
    const fields = splitFields(line);
    if (fields.length < 10) continue;
    const [destination, prefixHex, , , nextHop, metricHex, , , flagsHex, iface] = fields as [string, string, string, string, string, string, string, string, string, string];
    const flags = parseInt(flagsHex, 16) >>> 0;
    const prefix = parseInt(prefixHex, 16);
    const metric = parseInt(metricHex, 16) >>> 0;
    // The kernel's null entry (unreachable default on lo) is not a route a netlink dump shows.
    if ((flags & RTF_REJECT) !== 0 && prefix === 0 && metric === 0xffffffff) continue;
    const row: Row = {
      destination: ipv6FromHex(destination),
      netmask: reportedMask(prefix, 128),
      flags: 0,
      interface: iface,
      mtu: 0,
      metric: metric | 0,
      type: ipv6Type(flags, destination),
      hopcount: 0,
    };
    if (!/^0+$/.test(nextHop)) row.gateway = ipv6FromHex(nextHop);
    yield row;
  }
}

function* generate(): Iterable<Row> {
  yield* ipv4Routes();
  yield* ipv6Routes();
}

export const routes: TableDefinition = {
  name: 'routes',
  description: 'The active route table for the host system.',
  attributes: { cacheable: true },
  columns: [
    { name: 'destination', type: 'TEXT', description: 'Destination IP address' },
    { name: 'netmask', type: 'INTEGER', description: 'Netmask length' },
    { name: 'gateway', type: 'TEXT', description: 'Route gateway' },
    { name: 'source', type: 'TEXT', description: 'Route source' },
    { name: 'flags', type: 'INTEGER', description: 'Flags to describe route' },
    { name: 'interface', type: 'TEXT', description: 'Route local interface' },
    { name: 'mtu', type: 'INTEGER', description: 'Maximum Transmission Unit for the route' },
    { name: 'metric', type: 'INTEGER', description: 'Cost of route. Lowest is preferred' },
    { name: 'type', type: 'TEXT', additional: true, description: 'Type of route' },
    { name: 'hopcount', type: 'INTEGER', description: 'Max hops expected' },
  ],
  generate,
};
