/**
 * osquery's hidden `pid_with_namespace` column: a table constrained on it reads its files as seen by that process.
 * osquery enters the process's mount namespace; Quarry reads through /proc/<pid>/root, which shows the same files
 * without forking (root needed for other users' processes, as in osquery).
 */
import type { ColumnDefinition, QueryContext } from '@quarry/sql';
import { bracketedInode, integerEqualities, readLink } from './host-files.js';

export interface NamespaceView {
  /** Prefix for absolute paths: '' for the host, '/proc/<pid>/root' inside a process's view. */
  readonly root: string;
  /** The value of the pid_with_namespace column: 0 for the host. */
  readonly pidWithNamespace: number;
  /** The mount namespace inode of that process; '' for the host. */
  readonly mountNamespaceId: string;
}

export const pidWithNamespaceColumn: ColumnDefinition = {
  name: 'pid_with_namespace',
  type: 'INTEGER',
  additional: true,
  hidden: true,
  description: 'Pids that contain a namespace',
};

export const mountNamespaceIdColumn: ColumnDefinition = {
  name: 'mount_namespace_id',
  type: 'TEXT',
  hidden: true,
  description: 'Mount namespace id',
};

/** The views a query asks for: the host, or one per pid_with_namespace value whose process exists. */
export function namespaceViews(context: QueryContext): NamespaceView[] {
  const pids = integerEqualities(context.equals('pid_with_namespace')).filter((pid) => pid > 0);
  if (pids.length === 0) return [{ root: '', pidWithNamespace: 0, mountNamespaceId: '' }];
  const views: NamespaceView[] = [];
  for (const pid of pids) {
    const namespace = bracketedInode(readLink(`/proc/${pid}/ns/mnt`), 'mnt');
    if (namespace === undefined) continue;
    views.push({ root: `/proc/${pid}/root`, pidWithNamespace: pid, mountNamespaceId: namespace });
  }
  return views;
}
