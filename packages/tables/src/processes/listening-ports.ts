import type { TableDefinition } from '@quarry/sql';
import { integerValue } from '../system/host-files.js';
import { allPids } from './proc-reader.js';
import { AF_INET, AF_INET6, AF_UNIX, openSockets } from './socket-reader.js';

/**
 * Listening sockets, derived from the same data as process_open_sockets: IPv4/IPv6 sockets without a remote port,
 * UNIX sockets bound to a path, and every socket of other families (packet).
 */
export const listeningPorts: TableDefinition = {
  name: 'listening_ports',
  description: 'Processes with listening (bound) network sockets/ports.',
  attributes: { cacheable: true },
  columns: [
    { name: 'pid', type: 'INTEGER', description: 'Process (or thread) ID' },
    { name: 'port', type: 'INTEGER', description: 'Transport layer port' },
    { name: 'protocol', type: 'INTEGER', description: 'Transport protocol (TCP/UDP)' },
    { name: 'family', type: 'INTEGER', description: 'Network protocol (IPv4, IPv6)' },
    { name: 'address', type: 'TEXT', description: 'Specific address for bind' },
    { name: 'fd', type: 'BIGINT', description: 'Socket file descriptor number' },
    { name: 'socket', type: 'BIGINT', description: 'Socket handle or inode number' },
    { name: 'path', type: 'TEXT', description: 'Path for UNIX domain sockets' },
    { name: 'net_namespace', type: 'TEXT', description: 'The inode number of the network namespace' },
  ],
  *generate() {
    for (const socket of openSockets(allPids(), false)) {
      const inet = socket.family === AF_INET || socket.family === AF_INET6;
      if (inet && socket.remotePort !== 0) continue;
      if (socket.family === AF_UNIX) {
        if (socket.path === '') continue;
        yield {
          pid: socket.pid, port: 0, protocol: socket.protocol, family: socket.family, address: '',
          fd: socket.fd, socket: 0, path: socket.path, net_namespace: socket.netNamespace,
        };
        continue;
      }
      yield {
        pid: socket.pid,
        port: socket.localPort,
        protocol: socket.protocol,
        family: socket.family,
        address: socket.localAddress,
        fd: socket.fd,
        socket: integerValue(socket.inode),
        path: socket.path,
        net_namespace: socket.netNamespace,
      };
    }
  },
};
