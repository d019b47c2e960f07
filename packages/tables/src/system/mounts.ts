import { realpathSync, statfsSync } from 'node:fs';
import type { Row, TableDefinition } from '@quarry/sql';
import { decodeOctalEscapes, nonEmptyLines, readText } from './host-files.js';

/** One line of /proc/mounts: device, mount point, type, options (octal escapes decoded, as getmntent does). */
export interface MountEntry {
  readonly device: string;
  readonly path: string;
  readonly type: string;
  readonly options: string;
}

export function readMountTable(path = '/proc/mounts'): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of nonEmptyLines(readText(path) ?? '')) {
    const [device, mountPoint, type, options] = line.split(/\s+/);
    if (device === undefined || mountPoint === undefined || type === undefined) continue;
    entries.push({
      device: decodeOctalEscapes(device),
      path: decodeOctalEscapes(mountPoint),
      type: decodeOctalEscapes(type),
      options: decodeOctalEscapes(options ?? ''),
    });
  }
  return entries;
}

function canonicalDevice(device: string): string {
  try {
    return realpathSync(device);
  } catch {
    return device;
  }
}

/** Mounted filesystems from /proc/mounts, with block and inode counts from statfs(2) (skipped for autofs). */
export const mounts: TableDefinition = {
  name: 'mounts',
  description: 'System mounted devices and filesystems (not process specific).',
  columns: [
    { name: 'device', type: 'TEXT', description: 'Mounted device' },
    { name: 'device_alias', type: 'TEXT', description: 'Mounted device alias' },
    { name: 'path', type: 'TEXT', description: 'Mounted device path' },
    { name: 'type', type: 'TEXT', description: 'Mounted device type' },
    { name: 'blocks_size', type: 'BIGINT', description: 'Block size in bytes' },
    { name: 'blocks', type: 'BIGINT', description: 'Mounted device used blocks' },
    { name: 'blocks_free', type: 'BIGINT', description: 'Mounted device free blocks' },
    { name: 'blocks_available', type: 'BIGINT', description: 'Mounted device available blocks' },
    { name: 'inodes', type: 'BIGINT', description: 'Mounted device used inodes' },
    { name: 'inodes_free', type: 'BIGINT', description: 'Mounted device free inodes' },
    { name: 'flags', type: 'TEXT', description: 'Mounted device flags' },
  ],
  *generate() {
    for (const entry of readMountTable()) {
      const row: Row = {
        device: entry.device,
        device_alias: canonicalDevice(entry.device),
        path: entry.path,
        type: entry.type,
        flags: entry.options,
      };
      if (entry.type !== 'autofs') {
        try {
          const stats = statfsSync(entry.path);
          row.blocks_size = stats.bsize;
          row.blocks = stats.blocks;
          row.blocks_free = stats.bfree;
          row.blocks_available = stats.bavail;
          row.inodes = stats.files;
          row.inodes_free = stats.ffree;
        } catch {
          // A mount point this user cannot reach keeps its /proc/mounts fields and leaves the counts empty.
        }
      }
      yield row;
    }
  },
};
