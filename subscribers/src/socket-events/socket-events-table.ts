/** socket_events: osquery's columns (specs/posix/socket_events.table + Linux status), over the subscriber's ring. */
import type { EventRingApi } from '@quarry/buffers';
import type { ColumnDefinition, TableDefinition } from '@quarry/sql';
import { ringEventTable } from '../ring-event-table.js';

export const SOCKET_EVENTS_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'action', type: 'TEXT', description: 'The socket action (bind, listen, close)' },
  { name: 'pid', type: 'BIGINT', description: 'Process (or thread) ID' },
  { name: 'path', type: 'TEXT', description: 'Path of executed file' },
  { name: 'fd', type: 'TEXT', description: 'The file description for the process socket' },
  { name: 'auid', type: 'BIGINT', description: 'Audit User ID' },
  { name: 'family', type: 'INTEGER', description: 'The Internet protocol family ID' },
  { name: 'protocol', type: 'INTEGER', hidden: true, description: 'The network protocol ID' },
  { name: 'local_address', type: 'TEXT', description: 'Local address associated with socket' },
  { name: 'remote_address', type: 'TEXT', description: 'Remote address associated with socket' },
  { name: 'local_port', type: 'INTEGER', description: 'Local network protocol port number' },
  { name: 'remote_port', type: 'INTEGER', description: 'Remote network protocol port number' },
  { name: 'socket', type: 'TEXT', hidden: true, description: 'The local path (UNIX domain socket only)' },
  { name: 'time', type: 'BIGINT', additional: true, description: 'Time of execution in UNIX time' },
  { name: 'uptime', type: 'BIGINT', description: 'Time of execution in system uptime' },
  { name: 'eid', type: 'BIGINT', hidden: true, additional: true, description: 'Event ID (a number here; osquery declares a zero-padded TEXT)' },
  { name: 'success', type: 'INTEGER', hidden: true, description: 'Deprecated. Use the \'status\' column instead' },
  { name: 'status', type: 'TEXT', description: 'Either \'succeeded\', \'failed\', \'in_progress\' (connect() on non-blocking socket) or \'no_client\' (null accept() on non-blocking socket)' },
];

export const SOCKET_EVENTS_DESCRIPTION = 'Track network socket opens and closes.';

export function socketEventsTable(ring: EventRingApi | undefined): TableDefinition {
  return ringEventTable('socket_events', SOCKET_EVENTS_DESCRIPTION, SOCKET_EVENTS_COLUMNS, ring);
}
