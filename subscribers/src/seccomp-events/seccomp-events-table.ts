/**
 * seccomp_events: osquery's columns (specs/linux/seccomp_events.table), over the subscriber's ring. osquery's spec has
 * no eid column; Quarry's event tables all keep the ring's event id as a hidden eid, so it is hidden here too.
 */
import type { EventRingApi } from '@quarry/buffers';
import type { ColumnDefinition, TableDefinition } from '@quarry/sql';
import { ringEventTable } from '../ring-event-table.js';

export const SECCOMP_EVENTS_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'time', type: 'BIGINT', additional: true, description: 'Time of execution in UNIX time' },
  { name: 'uptime', type: 'BIGINT', description: 'Time of execution in system uptime' },
  { name: 'auid', type: 'UNSIGNED BIGINT', description: 'Audit user ID (loginuid) of the user who started the analyzed process' },
  { name: 'uid', type: 'UNSIGNED BIGINT', description: 'User ID of the user who started the analyzed process' },
  { name: 'gid', type: 'UNSIGNED BIGINT', description: 'Group ID of the user who started the analyzed process' },
  { name: 'ses', type: 'UNSIGNED BIGINT', description: 'Session ID of the session from which the analyzed process was invoked' },
  { name: 'pid', type: 'UNSIGNED BIGINT', description: 'Process ID' },
  { name: 'comm', type: 'TEXT', description: 'Command-line name of the command that was used to invoke the analyzed process' },
  { name: 'exe', type: 'TEXT', description: 'The path to the executable that was used to invoke the analyzed process' },
  { name: 'sig', type: 'BIGINT', description: 'Signal value sent to process by seccomp' },
  { name: 'arch', type: 'TEXT', description: 'Information about the CPU architecture' },
  { name: 'syscall', type: 'TEXT', description: 'Type of the system call' },
  { name: 'compat', type: 'BIGINT', description: 'Is system call in compatibility mode' },
  { name: 'ip', type: 'TEXT', description: 'Instruction pointer value' },
  { name: 'code', type: 'TEXT', description: 'The seccomp action' },
  { name: 'eid', type: 'BIGINT', hidden: true, additional: true, description: 'Event ID (Quarry only: osquery\'s seccomp_events has no eid column)' },
];

export const SECCOMP_EVENTS_DESCRIPTION = 'A virtual table that tracks seccomp events.';

export function seccompEventsTable(ring: EventRingApi | undefined): TableDefinition {
  return ringEventTable('seccomp_events', SECCOMP_EVENTS_DESCRIPTION, SECCOMP_EVENTS_COLUMNS, ring);
}
