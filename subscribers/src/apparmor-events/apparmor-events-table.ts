/** apparmor_events: osquery's columns (specs/linux/apparmor_events.table), over the subscriber's ring. */
import type { EventRingApi } from '@quarry/buffers';
import type { ColumnDefinition, TableDefinition } from '@quarry/sql';
import { ringEventTable } from '../ring-event-table.js';

export const APPARMOR_EVENTS_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'type', type: 'TEXT', description: 'Event type' },
  { name: 'message', type: 'TEXT', description: 'Raw audit message' },
  { name: 'time', type: 'BIGINT', additional: true, description: 'Time of execution in UNIX time' },
  { name: 'uptime', type: 'BIGINT', description: 'Time of execution in system uptime' },
  { name: 'eid', type: 'BIGINT', hidden: true, additional: true, description: 'Event ID (a number here; osquery declares a zero-padded TEXT)' },
  { name: 'apparmor', type: 'TEXT', description: 'Apparmor Status like ALLOWED, DENIED etc.' },
  { name: 'operation', type: 'TEXT', description: 'Permission requested by the process' },
  { name: 'parent', type: 'UNSIGNED BIGINT', description: 'Parent process PID' },
  { name: 'profile', type: 'TEXT', description: 'Apparmor profile name' },
  { name: 'name', type: 'TEXT', description: 'Process name' },
  { name: 'pid', type: 'UNSIGNED BIGINT', description: 'Process ID' },
  { name: 'comm', type: 'TEXT', description: 'Command-line name of the command that was used to invoke the analyzed process' },
  { name: 'denied_mask', type: 'TEXT', description: 'Denied permissions for the process' },
  { name: 'capname', type: 'TEXT', description: 'Capability requested by the process' },
  { name: 'fsuid', type: 'UNSIGNED BIGINT', description: 'Filesystem user ID' },
  { name: 'ouid', type: 'UNSIGNED BIGINT', description: 'Object owner\'s user ID' },
  { name: 'capability', type: 'BIGINT', description: 'Capability number' },
  { name: 'requested_mask', type: 'TEXT', description: 'Requested access mask' },
  { name: 'info', type: 'TEXT', description: 'Additional information' },
  { name: 'error', type: 'TEXT', description: 'Error information' },
  { name: 'namespace', type: 'TEXT', description: 'AppArmor namespace' },
  { name: 'label', type: 'TEXT', description: 'AppArmor label' },
];

export const APPARMOR_EVENTS_DESCRIPTION = 'Track AppArmor events.';

export function apparmorEventsTable(ring: EventRingApi | undefined): TableDefinition {
  return ringEventTable('apparmor_events', APPARMOR_EVENTS_DESCRIPTION, APPARMOR_EVENTS_COLUMNS, ring);
}
