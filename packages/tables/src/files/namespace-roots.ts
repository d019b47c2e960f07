/**
 * osquery's hidden pid_with_namespace column: with `pid_with_namespace = N` a table reads the files
 * of process N's mount namespace. Quarry reads them through /proc/N/root (root only), which sees the
 * same tree without switching namespaces. Without the constraint the host's own root is used and the
 * column reads 0.
 */
import type { QueryContext } from '@quarry/sql';
import { readlinkOrNull, statOrNull } from './fs-read.js';

export interface NamespaceRoot {
  /** Prefix to put before absolute paths ('' for the host's root). */
  readonly prefix: string;
  readonly pid: number;
  /** The mount namespace inode number, '' for the host's root. */
  readonly mountNamespaceId: string;
}

const HOST_ROOT: NamespaceRoot = { prefix: '', pid: 0, mountNamespaceId: '' };

/** Hidden columns shared by the host tables that honour pid_with_namespace. */
export const PID_WITH_NAMESPACE = { name: 'pid_with_namespace', type: 'INTEGER', additional: true, hidden: true } as const;
export const MOUNT_NAMESPACE_ID = { name: 'mount_namespace_id', type: 'TEXT', hidden: true } as const;

export function namespaceRoots(context: QueryContext): NamespaceRoot[] {
  const pids = context
    .equals('pid_with_namespace')
    .map((value) => Number(value))
    .filter((pid) => Number.isInteger(pid) && pid >= 0);
  if (pids.length === 0) return [HOST_ROOT];
  const roots: NamespaceRoot[] = [];
  for (const pid of new Set(pids)) {
    if (pid === 0) {
      roots.push(HOST_ROOT);
      continue;
    }
    const prefix = `/proc/${pid}/root`;
    if (!statOrNull(prefix)) continue;
    const link = readlinkOrNull(`/proc/${pid}/ns/mnt`) ?? '';
    const match = /\[(\d+)\]/.exec(link);
    roots.push({ prefix, pid, mountNamespaceId: match ? match[1]! : '' });
  }
  return roots;
}

/** The hidden-column values for rows read under `root`. */
export function namespaceColumns(root: NamespaceRoot): { pid_with_namespace: number; mount_namespace_id: string } {
  return { pid_with_namespace: root.pid, mount_namespace_id: root.mountNamespaceId };
}
