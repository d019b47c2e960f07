/** process_events: osquery's columns (specs/posix/process_events.table + Linux extras), over the subscriber's ring. */
import type { EventRingApi } from '@quarry/buffers';
import type { ColumnDefinition, TableDefinition } from '@quarry/sql';
import { ringEventTable } from '../ring-event-table.js';

export const PROCESS_EVENTS_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'pid', type: 'BIGINT', description: 'Process (or thread) ID' },
  { name: 'path', type: 'TEXT', description: 'Path of executed file' },
  { name: 'mode', type: 'TEXT', description: 'File mode permissions' },
  { name: 'cmdline', type: 'TEXT', description: 'Command line arguments (argv)' },
  { name: 'cmdline_size', type: 'BIGINT', hidden: true, description: 'Actual size (bytes) of command line arguments' },
  { name: 'env', type: 'TEXT', hidden: true, description: 'Environment variables delimited by spaces', aliases: ['environment'] },
  { name: 'env_count', type: 'BIGINT', hidden: true, description: 'Number of environment variables', aliases: ['environment_count'] },
  { name: 'env_size', type: 'BIGINT', hidden: true, description: 'Actual size (bytes) of environment list', aliases: ['environment_size'] },
  { name: 'cwd', type: 'TEXT', description: 'The process current working directory' },
  { name: 'auid', type: 'BIGINT', description: 'Audit User ID at process start' },
  { name: 'uid', type: 'BIGINT', description: 'User ID at process start' },
  { name: 'euid', type: 'BIGINT', description: 'Effective user ID at process start' },
  { name: 'gid', type: 'BIGINT', description: 'Group ID at process start' },
  { name: 'egid', type: 'BIGINT', description: 'Effective group ID at process start' },
  { name: 'owner_uid', type: 'BIGINT', description: 'File owner user ID' },
  { name: 'owner_gid', type: 'BIGINT', description: 'File owner group ID' },
  { name: 'atime', type: 'BIGINT', description: 'File last access in UNIX time', aliases: ['access_time'] },
  { name: 'mtime', type: 'BIGINT', description: 'File modification in UNIX time', aliases: ['modify_time'] },
  { name: 'ctime', type: 'BIGINT', description: 'File last metadata change in UNIX time', aliases: ['change_time'] },
  { name: 'btime', type: 'BIGINT', description: 'File creation in UNIX time', aliases: ['create_time'] },
  { name: 'overflows', type: 'TEXT', hidden: true, description: 'List of structures that overflowed' },
  { name: 'parent', type: 'BIGINT', description: 'Process parent\'s PID, or -1 if cannot be determined.' },
  { name: 'time', type: 'BIGINT', additional: true, description: 'Time of execution in UNIX time' },
  { name: 'uptime', type: 'BIGINT', description: 'Time of execution in system uptime' },
  { name: 'eid', type: 'BIGINT', hidden: true, additional: true, description: 'Event ID (a number here; osquery declares a zero-padded TEXT)' },
  { name: 'fsuid', type: 'BIGINT', description: 'Filesystem user ID at process start' },
  { name: 'suid', type: 'BIGINT', description: 'Saved user ID at process start' },
  { name: 'fsgid', type: 'BIGINT', description: 'Filesystem group ID at process start' },
  { name: 'sgid', type: 'BIGINT', description: 'Saved group ID at process start' },
  { name: 'syscall', type: 'TEXT', description: 'Syscall name: fork, vfork, clone, execve, execveat' },
];

export const PROCESS_EVENTS_DESCRIPTION = 'Track time/action process executions.';

export function processEventsTable(ring: EventRingApi | undefined): TableDefinition {
  return ringEventTable('process_events', PROCESS_EVENTS_DESCRIPTION, PROCESS_EVENTS_COLUMNS, ring);
}
