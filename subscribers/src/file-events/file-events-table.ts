/** file_events: osquery's columns (specs/posix/file_events.table), over the subscriber's ring. */
import type { EventRingApi } from '@quarry/buffers';
import type { ColumnDefinition, TableDefinition } from '@quarry/sql';
import { ringEventTable } from '../ring-event-table.js';

export const FILE_EVENTS_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'target_path', type: 'TEXT', description: 'The path associated with the event' },
  { name: 'category', type: 'TEXT', description: 'The category of the file defined in the config' },
  { name: 'action', type: 'TEXT', description: 'Change action (UPDATE, REMOVE, etc)' },
  { name: 'transaction_id', type: 'BIGINT', description: 'ID used during bulk update' },
  { name: 'inode', type: 'BIGINT', description: 'Filesystem inode number' },
  { name: 'uid', type: 'BIGINT', description: 'Owning user ID' },
  { name: 'gid', type: 'BIGINT', description: 'Owning group ID' },
  { name: 'mode', type: 'TEXT', description: 'Permission bits' },
  { name: 'size', type: 'BIGINT', description: 'Size of file in bytes' },
  { name: 'atime', type: 'BIGINT', description: 'Last access time' },
  { name: 'mtime', type: 'BIGINT', description: 'Last modification time' },
  { name: 'ctime', type: 'BIGINT', description: 'Last status change time' },
  { name: 'md5', type: 'TEXT', collate: 'nocase', description: 'The MD5 of the file after change' },
  { name: 'sha1', type: 'TEXT', collate: 'nocase', description: 'The SHA1 of the file after change' },
  { name: 'sha256', type: 'TEXT', collate: 'nocase', description: 'The SHA256 of the file after change' },
  { name: 'hashed', type: 'INTEGER', description: '1 if the file was hashed, 0 if not, -1 if hashing failed' },
  { name: 'time', type: 'BIGINT', additional: true, description: 'Time of file event' },
  { name: 'eid', type: 'BIGINT', hidden: true, additional: true, description: 'Event ID' },
];

export const FILE_EVENTS_DESCRIPTION = 'Track time/action changes to files specified in configuration data.';

/** The table over a ring; usable without a running runtime (e.g. an engine in a worker thread). */
export function fileEventsTable(ring: EventRingApi | undefined): TableDefinition {
  return ringEventTable('file_events', FILE_EVENTS_DESCRIPTION, FILE_EVENTS_COLUMNS, ring);
}
