/**
 * process_file_events: osquery's columns (specs/linux/process_file_events.table; every id column TEXT, partial TEXT),
 * over the subscriber's ring. eid is the ring's event id (a number here; osquery declares a zero-padded TEXT).
 */
import type { EventRingApi } from '@quarry/buffers';
import type { ColumnDefinition, TableDefinition } from '@quarry/sql';
import { ringEventTable } from '../ring-event-table.js';

export const PROCESS_FILE_EVENTS_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'operation', type: 'TEXT', description: 'Operation type' },
  { name: 'pid', type: 'BIGINT', description: 'Process ID' },
  { name: 'ppid', type: 'BIGINT', description: 'Parent process ID' },
  { name: 'time', type: 'BIGINT', additional: true, description: 'Time of execution in UNIX time' },
  { name: 'executable', type: 'TEXT', description: 'The executable path' },
  { name: 'partial', type: 'TEXT', description: 'True if this is a partial event (Quarry: the path could not be made absolute)' },
  { name: 'cwd', type: 'TEXT', description: 'The current working directory of the process' },
  { name: 'path', type: 'TEXT', description: 'The path associated with the event' },
  { name: 'dest_path', type: 'TEXT', description: 'The canonical path associated with the event' },
  { name: 'uid', type: 'TEXT', description: 'The uid of the process performing the action' },
  { name: 'gid', type: 'TEXT', description: 'The gid of the process performing the action' },
  { name: 'auid', type: 'TEXT', description: 'Audit user ID of the process using the file' },
  { name: 'euid', type: 'TEXT', description: 'Effective user ID of the process using the file' },
  { name: 'egid', type: 'TEXT', description: 'Effective group ID of the process using the file' },
  { name: 'fsuid', type: 'TEXT', description: 'Filesystem user ID of the process using the file' },
  { name: 'fsgid', type: 'TEXT', description: 'Filesystem group ID of the process using the file' },
  { name: 'suid', type: 'TEXT', description: 'Saved user ID of the process using the file' },
  { name: 'sgid', type: 'TEXT', description: 'Saved group ID of the process using the file' },
  { name: 'uptime', type: 'BIGINT', description: 'Time of execution in system uptime' },
  { name: 'eid', type: 'BIGINT', hidden: true, additional: true, description: 'Event ID (a number here; osquery declares a zero-padded TEXT)' },
];

export const PROCESS_FILE_EVENTS_DESCRIPTION = 'A File Integrity Monitor implementation using the audit service.';

export function processFileEventsTable(ring: EventRingApi | undefined): TableDefinition {
  return ringEventTable('process_file_events', PROCESS_FILE_EVENTS_DESCRIPTION, PROCESS_FILE_EVENTS_COLUMNS, ring);
}
