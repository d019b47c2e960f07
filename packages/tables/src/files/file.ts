import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import type { Stats } from 'node:fs';
import { listDirectory, lstatPath, readLink, statPath } from '../system/host-files.js';
import { MOUNT_NAMESPACE_ID, namespaceColumns, namespaceRoots, PID_WITH_NAMESPACE, type NamespaceRoot } from './namespace-roots.js';
import { joinEntry, pathsFromConstraints, splitPath } from './path-patterns.js';

/** osquery's `lsperms`: the permission and setuid/setgid/sticky bits as 4 octal digits. */
export function octalMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** The kind of file `stats` (stat(2), following links) describes, in osquery's words. */
export function fileTypeName(stats: Stats | null): string {
  if (!stats) return 'unknown';
  if (stats.isFile()) return 'regular';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isBlockDevice()) return 'block';
  if (stats.isCharacterDevice()) return 'character';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  return 'unknown';
}

function fileRow(path: string, directory: string, root: NamespaceRoot): Row | null {
  // Inside a pid_with_namespace root, symlinks resolve inside that root (never on the host).
  const onDisk = root.path(path, { followFinal: false });
  const link = onDisk === undefined ? null : lstatPath(onDisk);
  if (!link || onDisk === undefined) return null;
  const target = root.prefix === '' ? onDisk : root.path(path);
  const followed = target === undefined ? null : statPath(target);
  const stats = followed ?? link;
  const isLink = link.isSymbolicLink();
  return {
    path,
    directory,
    filename: splitPath(path).filename,
    inode: stats.ino,
    uid: stats.uid,
    gid: stats.gid,
    mode: octalMode(stats.mode),
    device: stats.rdev,
    size: stats.size,
    block_size: stats.blksize,
    atime: Math.floor(stats.atimeMs / 1000),
    mtime: Math.floor(stats.mtimeMs / 1000),
    ctime: Math.floor(stats.ctimeMs / 1000),
    btime: 0,
    hard_links: stats.nlink,
    symlink: isLink ? 1 : 0,
    type: followed ? fileTypeName(followed) : 'unknown',
    symlink_target_path: isLink ? (readLink(onDisk) ?? '') : '',
    ...namespaceColumns(root),
  };
}

function* generateFiles(context: QueryContext): Iterable<Row> {
  for (const root of namespaceRoots(context)) {
    for (const path of pathsFromConstraints(context, 'path', 'all', root.prefix)) {
      const row = fileRow(path, splitPath(path).directory, root);
      if (row) yield row;
    }
    for (const directory of pathsFromConstraints(context, 'directory', 'folders', root.prefix)) {
      const stats = statPath(root.prefix + directory);
      if (!stats?.isDirectory()) continue;
      for (const name of listDirectory(root.prefix + directory)) {
        const row = fileRow(joinEntry(directory, name), directory, root);
        if (row) yield row;
      }
    }
  }
}

export const file: TableDefinition = {
  name: 'file',
  description: 'Interactive filesystem attributes and metadata.',
  attributes: { utility: true },
  columns: [
    { name: 'path', type: 'TEXT', required: true, index: true, optimized: true, description: 'Absolute file path' },
    { name: 'directory', type: 'TEXT', required: true, optimized: true, description: 'Directory of file(s)' },
    { name: 'filename', type: 'TEXT', description: 'Name portion of file path' },
    { name: 'inode', type: 'BIGINT', description: 'Filesystem inode number' },
    { name: 'uid', type: 'BIGINT', description: 'Owning user ID' },
    { name: 'gid', type: 'BIGINT', description: 'Owning group ID' },
    { name: 'mode', type: 'TEXT', description: 'Permission bits' },
    { name: 'device', type: 'BIGINT', description: 'Device ID (optional)' },
    { name: 'size', type: 'BIGINT', description: 'Size of file in bytes' },
    { name: 'block_size', type: 'INTEGER', description: 'Block size of filesystem' },
    { name: 'atime', type: 'BIGINT', description: 'Last access time' },
    { name: 'mtime', type: 'BIGINT', description: 'Last modification time' },
    { name: 'ctime', type: 'BIGINT', description: 'Last status change time' },
    { name: 'btime', type: 'BIGINT', description: '(B)irth or (cr)eate time' },
    { name: 'hard_links', type: 'INTEGER', description: 'Number of hard links' },
    { name: 'symlink', type: 'INTEGER', description: '1 if the path is a symlink, otherwise 0' },
    { name: 'type', type: 'TEXT', description: 'File status' },
    { name: 'symlink_target_path', type: 'TEXT', description: 'Full path of the symlink target if any' },
    { ...PID_WITH_NAMESPACE, description: 'Pids that contain a namespace' },
    { ...MOUNT_NAMESPACE_ID, description: 'Mount namespace id' },
  ],
  generate: generateFiles,
};
