import type { TableDefinition } from '@quarry/sql';
import { integerValue, readText } from '../system/host-files.js';
import { pidsFromContext } from './proc-reader.js';

/** Memory mappings of every process (or the constrained pids) from /proc/<pid>/maps. */
export const processMemoryMap: TableDefinition = {
  name: 'process_memory_map',
  description: 'Process memory mapped files and pseudo device/regions.',
  columns: [
    { name: 'pid', type: 'INTEGER', index: true, optimized: true, description: 'Process (or thread) ID' },
    { name: 'start', type: 'TEXT', description: 'Virtual start address (hex)' },
    { name: 'end', type: 'TEXT', description: 'Virtual end address (hex)' },
    { name: 'permissions', type: 'TEXT', description: 'r=read, w=write, x=execute, p=private (cow)' },
    { name: 'offset', type: 'BIGINT', description: 'Offset into mapped path' },
    { name: 'device', type: 'TEXT', description: 'MA:MI Major/minor device ID' },
    { name: 'inode', type: 'INTEGER', description: 'Mapped path inode, 0 means uninitialized (BSS)' },
    { name: 'path', type: 'TEXT', description: 'Path to mapped file or mapped type' },
    { name: 'pseudo', type: 'INTEGER', description: '1 If path is a pseudo path, else 0' },
  ],
  *generate(context) {
    for (const pid of pidsFromContext(context)) {
      const maps = readText(`/proc/${pid}/maps`);
      if (maps === undefined) continue;
      for (const line of maps.split('\n')) {
        // "start-end perms offset dev inode   path" — the path may contain spaces.
        const match = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+([0-9a-f]+)\s+(\S+)\s+(\d+)\s*(.*)$/.exec(line);
        if (match === null) continue;
        const path = match[7]!.trim();
        const inode = integerValue(match[6]) ?? 0;
        const offset = BigInt(`0x${match[4]}`);
        yield {
          pid,
          start: `0x${match[1]}`,
          end: `0x${match[2]}`,
          permissions: match[3],
          offset: offset <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(offset) : offset,
          device: match[5],
          inode,
          path,
          pseudo: match[6] === '0' && path !== '' ? 1 : 0,
        };
      }
    }
  },
};
