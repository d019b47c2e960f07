/** user_events: osquery's columns (specs/posix/user_events.table), over the subscriber's ring. */
import type { EventRingApi } from '@quarry/buffers';
import type { ColumnDefinition, TableDefinition } from '@quarry/sql';
import { ringEventTable } from '../ring-event-table.js';

export const USER_EVENTS_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'uid', type: 'BIGINT', description: 'User ID' },
  { name: 'auid', type: 'BIGINT', description: 'Audit User ID' },
  { name: 'pid', type: 'BIGINT', description: 'Process (or thread) ID' },
  { name: 'message', type: 'TEXT', description: 'Message from the event' },
  { name: 'type', type: 'INTEGER', description: 'The audit record type (USER_AUTH 1100, USER_START 1105, USER_CMD 1123, ...)' },
  { name: 'path', type: 'TEXT', description: 'Supplied path from event' },
  { name: 'address', type: 'TEXT', description: 'The Internet protocol address or family ID' },
  { name: 'terminal', type: 'TEXT', description: 'The terminal of the event' },
  { name: 'time', type: 'BIGINT', additional: true, description: 'Time of execution in UNIX time' },
  { name: 'uptime', type: 'BIGINT', description: 'Time of execution in system uptime' },
  { name: 'eid', type: 'BIGINT', hidden: true, additional: true, description: 'Event ID (a number here; osquery declares a zero-padded TEXT)' },
];

export const USER_EVENTS_DESCRIPTION = 'Track user events from the audit framework.';

export function userEventsTable(ring: EventRingApi | undefined): TableDefinition {
  return ringEventTable('user_events', USER_EVENTS_DESCRIPTION, USER_EVENTS_COLUMNS, ring);
}
