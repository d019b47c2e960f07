import type { TableDefinition } from '@quarry/sql';
import { pidsFromContext, readDescriptors } from './proc-reader.js';

const NOT_FILES = ['socket:', 'pipe:', 'anon_inode:'];

/** Open file descriptors of every process (or the constrained pids); sockets, pipes and anonymous inodes are left out. */
export const processOpenFiles: TableDefinition = {
  name: 'process_open_files',
  description: 'File descriptors for each process.',
  columns: [
    { name: 'pid', type: 'BIGINT', index: true, description: 'Process (or thread) ID' },
    { name: 'fd', type: 'BIGINT', description: 'Process-specific file descriptor number' },
    { name: 'path', type: 'TEXT', description: 'Filesystem path of descriptor' },
  ],
  *generate(context) {
    for (const pid of pidsFromContext(context)) {
      for (const { fd, target } of readDescriptors(pid)) {
        if (NOT_FILES.some((prefix) => target.startsWith(prefix))) continue;
        yield { pid, fd, path: target };
      }
    }
  },
};
