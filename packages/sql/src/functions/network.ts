/** osquery's network functions: inet_aton, in_cidr_block, community_id_v1 and community_id_v1_strict. */
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { SQLITE } from '../sqlite-runtime.js';
import type { FunctionCall, SqlFunction } from './registry.js';

function ipv4Bytes(text: string): Uint8Array | null {
  if (!isIPv4(text)) return null;
  return Uint8Array.from(text.split('.').map((part) => Number(part)));
}

function ipv6Bytes(text: string): Uint8Array | null {
  if (!isIPv6(text)) return null;
  let address = text;
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  // An embedded dotted quad (::ffff:1.2.3.4) becomes two hextets.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    const v4 = ipv4Bytes(dotted[1]!)!;
    address = address.slice(0, dotted.index) + ((v4[0]! << 8) | v4[1]!).toString(16) + ':' + ((v4[2]! << 8) | v4[3]!).toString(16);
  }
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const hextets = [...headParts, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailParts];
  if (hextets.length !== 8) return null;
  const bytes = new Uint8Array(16);
  hextets.forEach((hextet, i) => {
    const value = parseInt(hextet, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}

function ipBytes(text: string): Uint8Array | null {
  return ipv4Bytes(text) ?? ipv6Bytes(text);
}

/** inet_aton(ipv4): the address as a host-order integer; NULL for NULL, IPv6 or anything invalid. */
const inetAton: SqlFunction = {
  name: 'inet_aton',
  arity: 1,
  deterministic: true,
  run(call) {
    const text = call.text(0);
    if (text === null || text.includes(':')) return call.null();
    const bytes = ipv4Bytes(text);
    if (!bytes) return call.null();
    call.integer(((bytes[0]! << 24) >>> 0) + (bytes[1]! << 16) + (bytes[2]! << 8) + bytes[3]!);
  },
};

function prefixMatches(network: Uint8Array, address: Uint8Array, bits: number): boolean {
  for (let i = 0; i < network.length; i++) {
    const remaining = bits - i * 8;
    if (remaining <= 0) return true;
    const mask = remaining >= 8 ? 0xff : (0xff << (8 - remaining)) & 0xff;
    if ((network[i]! & mask) !== (address[i]! & mask)) return false;
  }
  return true;
}

/** in_cidr_block(cidr, ip): 1 when ip lies inside cidr, else 0. */
const inCidrBlock: SqlFunction = {
  name: 'in_cidr_block',
  arity: 2,
  deterministic: true,
  run(call) {
    if (call.type(0) !== SQLITE.TEXT) throw new Error('CIDR must be a string');
    if (call.type(1) !== SQLITE.TEXT) throw new Error('IP address must be a string');
    const cidr = call.text(0)!;
    const address = ipBytes(call.text(1)!);
    if (!address) throw new Error('IP address cannot be parsed');
    const slash = cidr.indexOf('/');
    const networkText = slash >= 0 ? cidr.slice(0, slash) : cidr;
    const isV6 = networkText.includes(':');
    const network = isV6 ? ipv6Bytes(networkText) : ipv4Bytes(networkText);
    const width = isV6 ? 128 : 32;
    const bitsText = slash >= 0 ? cidr.slice(slash + 1) : String(width);
    const bits = /^\d+$/.test(bitsText) ? Number(bitsText) : NaN;
    if (!network || !(bits >= 0 && bits <= width)) {
      throw new Error(`CIDR for IP address v${isV6 ? 6 : 4} cannot be parsed`);
    }
    if (network.length !== address.length) return call.integer(0);
    call.integer(prefixMatches(network, address, bits) ? 1 : 0);
  },
};

function portArgument(call: FunctionCall, index: number, name: string): number {
  const value = call.value(index);
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : typeof value === 'number' ? value : NaN;
  if (!Number.isInteger(number) || number < 0 || number > 65535) {
    throw new Error(`Community ID ${name} must be an integer between 0 and 65535`);
  }
  return number;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/**
 * Community ID v1 (https://github.com/corelight/community-id-spec): sha1 over seed, the ordered endpoint pair,
 * protocol, a zero pad byte and the ports, base64-encoded and prefixed `1:`.
 */
function communityId(call: FunctionCall): string {
  const saddrText = call.text(0);
  const daddrText = call.text(1);
  const saddr = saddrText === null ? null : ipBytes(saddrText);
  if (!saddr) throw new Error('Community ID saddr cannot be parsed as IP');
  const daddr = daddrText === null ? null : ipBytes(daddrText);
  if (!daddr) throw new Error('Community ID daddr cannot be parsed as IP');
  if (saddr.length !== daddr.length) throw new Error('Community ID saddr and daddr must be the same IP version');
  let sport = portArgument(call, 2, 'sport');
  let dport = portArgument(call, 3, 'dport');
  const protoValue = call.value(4);
  const proto = typeof protoValue === 'number' ? protoValue : typeof protoValue === 'string' && /^\d+$/.test(protoValue) ? Number(protoValue) : NaN;
  if (!Number.isInteger(proto) || proto < 0 || proto > 255) throw new Error('Community ID proto must be an integer between 0 and 255');
  let seed = 0;
  if (call.argc > 5) {
    const seedValue = call.value(5);
    seed = typeof seedValue === 'number' ? seedValue : typeof seedValue === 'string' && /^\d+$/.test(seedValue) ? Number(seedValue) : NaN;
    if (!Number.isInteger(seed) || seed < 0 || seed > 65535) throw new Error('Community ID seed must be an integer between 0 and 65535');
  }
  let first = saddr;
  let second = daddr;
  const order = compareBytes(saddr, daddr);
  if (order > 0 || (order === 0 && sport > dport)) {
    first = daddr;
    second = saddr;
    [sport, dport] = [dport, sport];
  }
  const input = Buffer.alloc(2 + first.length * 2 + 2 + 4);
  let offset = input.writeUInt16BE(seed, 0);
  input.set(first, offset);
  offset += first.length;
  input.set(second, offset);
  offset += second.length;
  offset = input.writeUInt8(proto, offset);
  offset = input.writeUInt8(0, offset);
  offset = input.writeUInt16BE(sport, offset);
  input.writeUInt16BE(dport, offset);
  return '1:' + createHash('sha1').update(input).digest('base64');
}

function communityIdFunction(name: string, arity: number, strict: boolean): SqlFunction {
  return {
    name,
    arity,
    deterministic: true,
    run(call) {
      try {
        call.textResult(communityId(call));
      } catch (error) {
        if (strict) throw error;
        call.host.warn(error instanceof Error ? error.message : String(error));
        call.null();
      }
    },
  };
}

export const networkFunctions: readonly SqlFunction[] = [
  inetAton,
  inCidrBlock,
  communityIdFunction('community_id_v1', 5, false),
  communityIdFunction('community_id_v1', 6, false),
  communityIdFunction('community_id_v1_strict', 5, true),
  communityIdFunction('community_id_v1_strict', 6, true),
];
