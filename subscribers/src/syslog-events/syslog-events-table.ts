/** syslog_events (alias `syslog`): osquery's columns (specs/linux/syslog_events.table), over the subscriber's ring. */
import type { EventRingApi } from '@quarry/buffers';
import type { ColumnDefinition, TableDefinition } from '@quarry/sql';
import { ringEventTable } from '../ring-event-table.js';
import { EVENT_TABLE_ALIASES } from '../event-table-aliases.js';

export const SYSLOG_EVENTS_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'time', type: 'BIGINT', additional: true, description: 'Current unix epoch time' },
  { name: 'datetime', type: 'TEXT', description: 'Time known to syslog' },
  { name: 'host', type: 'TEXT', description: 'Hostname configured for syslog' },
  { name: 'severity', type: 'INTEGER', description: 'Syslog severity' },
  { name: 'facility', type: 'TEXT', description: 'Syslog facility' },
  { name: 'tag', type: 'TEXT', description: 'The syslog tag' },
  { name: 'message', type: 'TEXT', description: 'The syslog message' },
  { name: 'eid', type: 'BIGINT', hidden: true, additional: true, description: 'Event ID (a number here; osquery declares a zero-padded TEXT)' },
];

export const SYSLOG_EVENTS_DESCRIPTION = 'Syslog lines rsyslog forwards into the named pipe at --syslog_pipe_path (needs --enable_syslog).';

export const SYSLOG_EVENTS_ALIASES: readonly string[] = EVENT_TABLE_ALIASES['syslog_events'] ?? [];

export function syslogEventsTable(ring: EventRingApi | undefined): TableDefinition {
  return { ...ringEventTable('syslog_events', SYSLOG_EVENTS_DESCRIPTION, SYSLOG_EVENTS_COLUMNS, ring), aliases: [...SYSLOG_EVENTS_ALIASES] };
}
