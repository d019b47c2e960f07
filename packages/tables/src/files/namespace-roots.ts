/**
 * osquery's hidden pid_with_namespace column: with `pid_with_namespace = N` a table reads the files of process N's
 * mount namespace. Quarry reads them through /proc/N/root (root only), which sees the same tree without switching
 * namespaces. Without the constraint (or with N = 0) the host's own root is used and the column reads 0.
 *
 * Paths inside /proc/N/root are resolved by `NamespaceRoot.path`, component by component, as the process itself
 * would resolve them: an absolute symlink target starts again at the process's root (not the host's), and `..`
 * never climbs above that root. Otherwise a container whose /etc/passwd links to /etc/shadow would make Quarry read
 * the host's /etc/shadow.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import type { QueryContext } from '@quarry/sql';
import { bracketedInode, integerEqualities, readLink, statPath } from '../system/host-files.js';

/** The kernel's limit on symlinks followed in one path lookup (MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

export interface NamespaceRoot {
  /** Prefix of host paths below this root ('' for the host's root, /proc/<pid>/root otherwise). */
  readonly prefix: string;
  readonly pid: number;
  /** The mount namespace inode number, '' for the host's root. */
  readonly mountNamespaceId: string;
  /**
   * The host path where `path` (absolute, as the process sees it) lives, with every symlink resolved inside this
   * root; undefined when a component is missing or there are too many links. `followFinal: false` keeps a final
   * symlink itself (for lstat/readlink). The host's root returns `path` unchanged.
   */
  path(path: string, options?: { followFinal?: boolean }): string | undefined;
}

/** Resolves `path` inside the tree at `prefix` as a process chrooted there would (see the module comment). */
export function resolveInRoot(prefix: string, path: string, followFinal = true): string | undefined {
  const pending = path.split('/').filter((component) => component !== '' && component !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const component = pending.shift()!;
    if (component === '.') continue;
    if (component === '..') {
      resolved.pop(); // "/.." is "/", as for the process itself.
      continue;
    }
    const candidate = `${prefix}/${[...resolved, component].join('/')}`;
    let isLink: boolean;
    try {
      isLink = lstatSync(candidate).isSymbolicLink();
    } catch {
      return undefined;
    }
    if (!isLink || (!followFinal && pending.length === 0)) {
      resolved.push(component);
      continue;
    }
    if (++links > MAX_SYMLINKS) return undefined;
    let target: string;
    try {
      target = readlinkSync(candidate);
    } catch {
      return undefined;
    }
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter((part) => part !== '' && part !== '.'));
  }
  return `${prefix}/${resolved.join('/')}`;
}

const HOST_ROOT: NamespaceRoot = { prefix: '', pid: 0, mountNamespaceId: '', path: (path) => path };

function processRoot(pid: number, mountNamespaceId: string): NamespaceRoot {
  const prefix = `/proc/${pid}/root`;
  return { prefix, pid, mountNamespaceId, path: (path, options) => resolveInRoot(prefix, path, options?.followFinal ?? true) };
}

/** Hidden columns shared by the host tables that honour pid_with_namespace. */
export const PID_WITH_NAMESPACE = { name: 'pid_with_namespace', type: 'INTEGER', additional: true, hidden: true, description: 'Pids that contain a namespace' } as const;
export const MOUNT_NAMESPACE_ID = { name: 'mount_namespace_id', type: 'TEXT', hidden: true, description: 'Mount namespace id' } as const;

/** The roots a query asks for: the host, or one per pid_with_namespace value whose process exists (0 = the host). */
export function namespaceRoots(context: QueryContext): NamespaceRoot[] {
  const pids = integerEqualities(context.equals('pid_with_namespace')).filter((pid) => pid >= 0);
  if (pids.length === 0) return [HOST_ROOT];
  const roots: NamespaceRoot[] = [];
  for (const pid of pids) {
    if (pid === 0) {
      roots.push(HOST_ROOT);
      continue;
    }
    if (!statPath(`/proc/${pid}/root`)) continue;
    roots.push(processRoot(pid, bracketedInode(readLink(`/proc/${pid}/ns/mnt`), 'mnt') ?? ''));
  }
  return roots;
}

/** The hidden-column values for rows read under `root`. */
export function namespaceColumns(root: NamespaceRoot): { pid_with_namespace: number; mount_namespace_id: string } {
  return { pid_with_namespace: root.pid, mount_namespace_id: root.mountNamespaceId };
}
