import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { listDirectory, lstatPath } from '../system/host-files.js';
import { namespaceRoots, PID_WITH_NAMESPACE } from './namespace-roots.js';
import { MAX_RECURSIVE_DEPTH } from './path-patterns.js';
import { idNameMaps } from './user-files.js';

/** The directories osquery searches for setuid/setgid programs. */
export const SUID_SEARCH_DIRECTORIES = ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/tmp'];
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

/** Regular files below `directory` (the top may be a symlink; symlinks inside are not followed). */
function* regularFilesBelow(directory: string, depth: number): Iterable<string> {
  if (depth > MAX_RECURSIVE_DEPTH) return;
  for (const name of listDirectory(directory)) {
    const path = `${directory}/${name}`;
    const stats = lstatPath(path);
    if (!stats) continue;
    if (stats.isDirectory()) yield* regularFilesBelow(path, depth + 1);
    else if (stats.isFile() && (stats.mode & (S_ISUID | S_ISGID)) !== 0) yield path;
  }
}

function* generate(context: QueryContext): Iterable<Row> {
  const names = idNameMaps();
  for (const root of namespaceRoots(context)) {
    for (const directory of SUID_SEARCH_DIRECTORIES) {
      for (const onDisk of regularFilesBelow(root.prefix + directory, 0)) {
        const stats = lstatPath(onDisk);
        if (!stats) continue;
        const setuid = (stats.mode & S_ISUID) !== 0;
        const setgid = (stats.mode & S_ISGID) !== 0;
        yield {
          path: onDisk.slice(root.prefix.length),
          username: names.users.get(stats.uid) ?? String(stats.uid),
          groupname: names.groups.get(stats.gid) ?? String(stats.gid),
          permissions: `${setuid ? 'S' : ''}${setgid ? 'G' : ''}`,
          pid_with_namespace: root.pid,
        };
      }
    }
  }
}

export const suid_bin: TableDefinition = {
  name: 'suid_bin',
  description: 'suid binaries in common locations.',
  attributes: { cacheable: true },
  columns: [
    { name: 'path', type: 'TEXT', description: 'Binary path' },
    { name: 'username', type: 'TEXT', description: 'Binary owner username' },
    { name: 'groupname', type: 'TEXT', description: 'Binary owner group' },
    { name: 'permissions', type: 'TEXT', description: 'Binary permissions' },
    { ...PID_WITH_NAMESPACE, description: 'Pids that contain a namespace' },
  ],
  generate,
};
