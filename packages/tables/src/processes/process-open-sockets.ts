import type { TableDefinition } from '@quarry/sql';
import { integerValue } from '../system/host-files.js';
import { allPids, hasPidFilter, pidsFromContext } from './proc-reader.js';
import { openSockets } from './socket-reader.js';

/** Sockets held by every process (or the constrained pids), in every network namespace those processes use. */
export const processOpenSockets: TableDefinition = {
  name: 'process_open_sockets',
  description: 'Processes which have open network sockets on the system.',
  columns: [
    { name: 'pid', type: 'INTEGER', additional: true, description: 'Process (or thread) ID' },
    { name: 'fd', type: 'BIGINT', description: 'Socket file descriptor number' },
    { name: 'socket', type: 'BIGINT', description: 'Socket handle or inode number' },
    { name: 'family', type: 'INTEGER', description: 'Network protocol (IPv4, IPv6)' },
    { name: 'protocol', type: 'INTEGER', description: 'Transport protocol (TCP/UDP)' },
    { name: 'local_address', type: 'TEXT', description: 'Socket local address' },
    { name: 'remote_address', type: 'TEXT', description: 'Socket remote address' },
    { name: 'local_port', type: 'INTEGER', description: 'Socket local port' },
    { name: 'remote_port', type: 'INTEGER', description: 'Socket remote port' },
    { name: 'path', type: 'TEXT', description: 'For UNIX sockets (family=AF_UNIX), the domain path' },
    { name: 'state', type: 'TEXT', description: 'TCP socket state' },
    { name: 'net_namespace', type: 'TEXT', description: 'The inode number of the network namespace' },
  ],
  *generate(context) {
    const pidFilter = hasPidFilter(context) && !context.equals('pid').some((v) => Number(v) === -1);
    const pids = pidFilter ? pidsFromContext(context) : allPids();
    for (const socket of openSockets(pids, pidFilter)) {
      yield {
        pid: socket.pid,
        fd: socket.fd,
        socket: integerValue(socket.inode),
        family: socket.family,
        protocol: socket.protocol,
        local_address: socket.localAddress,
        remote_address: socket.remoteAddress,
        local_port: socket.localPort,
        remote_port: socket.remotePort,
        path: socket.path,
        state: socket.state,
        net_namespace: socket.netNamespace,
      };
    }
  },
};
