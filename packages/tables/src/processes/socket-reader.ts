/**
 * Socket tables of a network namespace as the kernel prints them under /proc/<pid>/net: tcp, udp, udplite, raw and
 * icmp (IPv4 and IPv6), unix and packet. Shared by process_open_sockets and listening_ports.
 */
import { bracketedInode, readLink, readText } from '../system/host-files.js';
import { formatIpv6 } from '../network/ip-address.js';
import { readDescriptors } from './proc-reader.js';

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_PACKET = 17;

/** File name → IPPROTO_* number, as osquery reads them. */
const INET_PROTOCOLS: ReadonlyArray<readonly [string, number]> = [
  ['icmp', 1], ['tcp', 6], ['udp', 17], ['udplite', 136], ['raw', 255],
];
const IPPROTO_TCP = 6;

const TCP_STATES = [
  'UNKNOWN', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE',
  'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV',
];

export interface SocketEntry {
  /** The socket inode, as text (it is the key shared with /proc/<pid>/fd links). */
  readonly inode: string;
  readonly family: number;
  readonly protocol: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly path: string;
  readonly state: string;
  readonly netNamespace: string;
}

/** The owner of a socket inode. */
export interface SocketHolder {
  readonly pid: number;
  readonly fd: number;
}

/** An IPv4 address as /proc/net prints it: 8 hex digits of the address in host (little-endian) byte order. */
function decodeIpv4(hex: string): string {
  if (hex.length !== 8) return '';
  const bytes = [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes.join('.');
}

/** An IPv6 address as /proc/net prints it: four 32-bit words, each in host (little-endian) byte order. */
function decodeIpv6(hex: string): string {
  if (hex.length !== 32) return '';
  const bytes: number[] = [];
  for (let word = 0; word < 4; word += 1) {
    const chunk = hex.slice(word * 8, word * 8 + 8);
    for (const i of [6, 4, 2, 0]) bytes.push(Number.parseInt(chunk.slice(i, i + 2), 16));
  }
  return formatIpv6(bytes);
}

function parseInetTable(text: string, family: number, protocol: number, netNamespace: string): SocketEntry[] {
  const entries: SocketEntry[] = [];
  const lines = text.split('\n');
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const [localHex, localPortHex] = fields[1]!.split(':');
    const [remoteHex, remotePortHex] = fields[2]!.split(':');
    if (localPortHex === undefined || remotePortHex === undefined) continue;
    const decode = family === AF_INET ? decodeIpv4 : decodeIpv6;
    let state = 'NONE';
    if (protocol === IPPROTO_TCP) {
      const code = Number.parseInt(fields[3]!, 16);
      state = code > 0 && code < TCP_STATES.length ? TCP_STATES[code]! : 'UNKNOWN';
    }
    entries.push({
      inode: fields[9]!,
      family,
      protocol,
      localAddress: decode(localHex!),
      localPort: Number.parseInt(localPortHex, 16),
      remoteAddress: decode(remoteHex!),
      remotePort: Number.parseInt(remotePortHex, 16),
      path: '',
      state,
      netNamespace,
    });
  }
  return entries;
}

function parseUnixTable(text: string, netNamespace: string): SocketEntry[] {
  const entries: SocketEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode [Path]
    const match = /^\s*\S+\s+\S+\s+([0-9A-Fa-f]+)\s+\S+\s+\S+\s+\S+\s+(\d+)(?:\s(.*))?$/.exec(line);
    if (match === null) continue;
    entries.push({
      inode: match[2]!,
      family: AF_UNIX,
      protocol: Number.parseInt(match[1]!, 16),
      localAddress: '',
      localPort: 0,
      remoteAddress: '',
      remotePort: 0,
      path: (match[3] ?? '').trim(),
      state: 'NONE',
      netNamespace,
    });
  }
  return entries;
}

function parsePacketTable(text: string, netNamespace: string): SocketEntry[] {
  const entries: SocketEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    // sk RefCnt Type Proto Iface R Rmem User Inode
    const fields = line.trim().split(/\s+/);
    if (fields.length < 9) continue;
    entries.push({
      inode: fields[8]!,
      family: AF_PACKET,
      protocol: Number.parseInt(fields[3]!, 16),
      localAddress: '',
      localPort: 0,
      remoteAddress: '',
      remotePort: 0,
      path: '',
      state: 'NONE',
      netNamespace,
    });
  }
  return entries;
}

/** Every socket of the network namespace `pid` lives in, read through /proc/<pid>/net. */
export function readNamespaceSockets(pid: number, netNamespace: string): SocketEntry[] {
  const base = `/proc/${pid}/net`;
  const entries: SocketEntry[] = [];
  for (const [name, protocol] of INET_PROTOCOLS) {
    const v4 = readText(`${base}/${name}`);
    if (v4 !== undefined) entries.push(...parseInetTable(v4, AF_INET, protocol, netNamespace));
    const v6 = readText(`${base}/${name}6`);
    if (v6 !== undefined) entries.push(...parseInetTable(v6, AF_INET6, protocol, netNamespace));
  }
  const unix = readText(`${base}/unix`);
  if (unix !== undefined) entries.push(...parseUnixTable(unix, netNamespace));
  const packet = readText(`${base}/packet`);
  if (packet !== undefined) entries.push(...parsePacketTable(packet, netNamespace));
  return entries;
}

export interface OpenSocket extends SocketEntry {
  /** -1 when no process of the query holds the socket (only reported when the query is not filtered by pid). */
  readonly pid: number;
  readonly fd: number;
}

/**
 * The sockets of the given processes: map socket inodes to every (pid, fd) that holds them from /proc/<pid>/fd, read
 * each network namespace's tables once (through its first process), then join: one row per holder, so a socket
 * shared by forked processes (pre-fork servers, inherited descriptors) appears once for each of them, as in osquery.
 * Without a pid filter, sockets no process holds (or whose holder is not readable) are kept with pid and fd -1, as
 * osquery does.
 */
export function openSockets(pids: readonly number[], pidFilter: boolean): OpenSocket[] {
  const holders = new Map<string, SocketHolder[]>();
  const namespaces = new Set<string>();
  const sockets: SocketEntry[] = [];
  const unidentified: number[] = [];
  for (const pid of pids) {
    for (const { fd, target } of readDescriptors(pid)) {
      const inode = bracketedInode(target, 'socket');
      if (inode === undefined) continue;
      const list = holders.get(inode);
      if (list === undefined) holders.set(inode, [{ pid, fd }]);
      else list.push({ pid, fd });
    }
    const netNamespace = bracketedInode(readLink(`/proc/${pid}/ns/net`), 'net');
    if (netNamespace === undefined) {
      unidentified.push(pid);
      continue;
    }
    if (namespaces.has(netNamespace)) continue;
    namespaces.add(netNamespace);
    sockets.push(...readNamespaceSockets(pid, netNamespace));
  }
  // A process whose namespace link cannot be read (net_namespace '0') is usually in a namespace already read:
  // socket inodes are unique system-wide, so only sockets not seen yet are added, and each socket is listed once.
  const seen = new Set(sockets.map((socket) => socket.inode));
  for (const pid of unidentified) {
    for (const entry of readNamespaceSockets(pid, '0')) {
      if (seen.has(entry.inode)) continue;
      seen.add(entry.inode);
      sockets.push(entry);
    }
  }
  const out: OpenSocket[] = [];
  for (const socket of sockets) {
    const socketHolders = holders.get(socket.inode);
    if (socketHolders === undefined) {
      if (!pidFilter) out.push({ ...socket, pid: -1, fd: -1 });
      continue;
    }
    for (const holder of socketHolders) out.push({ ...socket, pid: holder.pid, fd: holder.fd });
  }
  return out;
}
