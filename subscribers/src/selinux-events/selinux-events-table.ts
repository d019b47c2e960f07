/** selinux_events: osquery's columns (specs/linux/selinux_events.table), over the subscriber's ring. */
import type { EventRingApi } from '@quarry/buffers';
import type { ColumnDefinition, TableDefinition } from '@quarry/sql';
import { ringEventTable } from '../ring-event-table.js';

export const SELINUX_EVENTS_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'type', type: 'TEXT', description: 'Event type' },
  { name: 'message', type: 'TEXT', description: 'Message' },
  { name: 'time', type: 'BIGINT', additional: true, description: 'Time of execution in UNIX time' },
  { name: 'uptime', type: 'BIGINT', description: 'Time of execution in system uptime' },
  { name: 'eid', type: 'BIGINT', hidden: true, additional: true, description: 'Event ID (a number here; osquery declares a zero-padded TEXT)' },
];

export const SELINUX_EVENTS_DESCRIPTION = 'Track SELinux events.';

export function selinuxEventsTable(ring: EventRingApi | undefined): TableDefinition {
  return ringEventTable('selinux_events', SELINUX_EVENTS_DESCRIPTION, SELINUX_EVENTS_COLUMNS, ring);
}
