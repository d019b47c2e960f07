/** hardware_events: osquery's columns (specs/posix/hardware_events.table), over the subscriber's ring. */
import type { EventRingApi } from '@quarry/buffers';
import type { ColumnDefinition, TableDefinition } from '@quarry/sql';
import { ringEventTable } from '../ring-event-table.js';

export const HARDWARE_EVENTS_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'action', type: 'TEXT', description: 'Remove, insert, change properties, etc' },
  { name: 'path', type: 'TEXT', description: 'Local device path assigned (optional)' },
  { name: 'type', type: 'TEXT', description: 'Type of hardware and hardware event' },
  { name: 'driver', type: 'TEXT', description: 'Driver claiming the device' },
  { name: 'vendor', type: 'TEXT', description: 'Hardware device vendor' },
  { name: 'vendor_id', type: 'TEXT', collate: 'nocase', description: 'Hex encoded Hardware vendor identifier' },
  { name: 'model', type: 'TEXT', description: 'Hardware device model' },
  { name: 'model_id', type: 'TEXT', collate: 'nocase', description: 'Hex encoded Hardware model identifier' },
  { name: 'serial', type: 'TEXT', description: 'Device serial (optional)' },
  { name: 'revision', type: 'TEXT', description: 'Device revision (optional)' },
  { name: 'time', type: 'BIGINT', additional: true, description: 'Time of hardware event' },
  { name: 'eid', type: 'BIGINT', hidden: true, additional: true, description: 'Event ID (a number here; osquery declares a zero-padded TEXT)' },
];

export const HARDWARE_EVENTS_DESCRIPTION = 'Hardware (device) events from udev: devices added, removed and changed (Linux netlink uevents).';

export function hardwareEventsTable(ring: EventRingApi | undefined): TableDefinition {
  return ringEventTable('hardware_events', HARDWARE_EVENTS_DESCRIPTION, HARDWARE_EVENTS_COLUMNS, ring);
}
