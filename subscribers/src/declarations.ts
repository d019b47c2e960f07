/**
 * Light declarations of every built-in `_events` table, for a shell that must list them (`.tables`, `.schema`) without
 * loading lmdb/koffi/pino. This module's import graph holds no native or heavy package.
 */
import type { EventRingApi } from '@quarry/buffers';
import type { ColumnDefinition, TableAttributes, TableDefinition } from '@quarry/sql';
import { EVENT_TABLE_ALIASES } from './event-table-aliases.js';
import { FILE_EVENTS_COLUMNS, FILE_EVENTS_DESCRIPTION, fileEventsTable } from './file-events/file-events-table.js';
import { PROCESS_EVENTS_COLUMNS, PROCESS_EVENTS_DESCRIPTION, processEventsTable } from './process-events/process-events-table.js';
import { USER_EVENTS_COLUMNS, USER_EVENTS_DESCRIPTION, userEventsTable } from './user-events/user-events-table.js';
import { SOCKET_EVENTS_COLUMNS, SOCKET_EVENTS_DESCRIPTION, socketEventsTable } from './socket-events/socket-events-table.js';
import { PROCESS_FILE_EVENTS_COLUMNS, PROCESS_FILE_EVENTS_DESCRIPTION, processFileEventsTable } from './process-file-events/process-file-events-table.js';
import { SECCOMP_EVENTS_COLUMNS, SECCOMP_EVENTS_DESCRIPTION, seccompEventsTable } from './seccomp-events/seccomp-events-table.js';
import { SELINUX_EVENTS_COLUMNS, SELINUX_EVENTS_DESCRIPTION, selinuxEventsTable } from './selinux-events/selinux-events-table.js';
import { APPARMOR_EVENTS_COLUMNS, APPARMOR_EVENTS_DESCRIPTION, apparmorEventsTable } from './apparmor-events/apparmor-events-table.js';
import { YARA_EVENTS_COLUMNS, YARA_EVENTS_DESCRIPTION, yaraEventsTable } from './yara-events/yara-events-table.js';
import { SYSLOG_EVENTS_COLUMNS, SYSLOG_EVENTS_DESCRIPTION, syslogEventsTable } from './syslog-events/syslog-events-table.js';
import { HARDWARE_EVENTS_COLUMNS, HARDWARE_EVENTS_DESCRIPTION, hardwareEventsTable } from './hardware-events/hardware-events-table.js';

export interface EventTableDeclaration {
  name: string;
  description: string;
  columns: readonly ColumnDefinition[];
  attributes: TableAttributes;
  /** osquery's other names for the table (`syslog`), empty for most. */
  aliases: readonly string[];
}

type TableFactory = (ring: EventRingApi | undefined) => TableDefinition;

const tables: Array<[string, string, readonly ColumnDefinition[], TableFactory]> = [
  ['file_events', FILE_EVENTS_DESCRIPTION, FILE_EVENTS_COLUMNS, fileEventsTable],
  ['process_events', PROCESS_EVENTS_DESCRIPTION, PROCESS_EVENTS_COLUMNS, processEventsTable],
  ['user_events', USER_EVENTS_DESCRIPTION, USER_EVENTS_COLUMNS, userEventsTable],
  ['socket_events', SOCKET_EVENTS_DESCRIPTION, SOCKET_EVENTS_COLUMNS, socketEventsTable],
  ['process_file_events', PROCESS_FILE_EVENTS_DESCRIPTION, PROCESS_FILE_EVENTS_COLUMNS, processFileEventsTable],
  ['seccomp_events', SECCOMP_EVENTS_DESCRIPTION, SECCOMP_EVENTS_COLUMNS, seccompEventsTable],
  ['selinux_events', SELINUX_EVENTS_DESCRIPTION, SELINUX_EVENTS_COLUMNS, selinuxEventsTable],
  ['apparmor_events', APPARMOR_EVENTS_DESCRIPTION, APPARMOR_EVENTS_COLUMNS, apparmorEventsTable],
  ['yara_events', YARA_EVENTS_DESCRIPTION, YARA_EVENTS_COLUMNS, yaraEventsTable],
  ['syslog_events', SYSLOG_EVENTS_DESCRIPTION, SYSLOG_EVENTS_COLUMNS, syslogEventsTable],
  ['hardware_events', HARDWARE_EVENTS_DESCRIPTION, HARDWARE_EVENTS_COLUMNS, hardwareEventsTable],
];

export function eventTableDeclarations(): EventTableDeclaration[] {
  return tables.map(([name, description, columns]) => ({ name, description, columns, attributes: { eventBased: true }, aliases: EVENT_TABLE_ALIASES[name] ?? [] }));
}

/** The real table over a ring (the store opened as a consumer), or undefined for a name that is not ours. */
export function eventTableFor(name: string, ring: EventRingApi | undefined): TableDefinition | undefined {
  const found = tables.find(([n]) => n === name);
  return found ? found[3](ring) : undefined;
}

/**
 * Every built-in `_events` table over a store, without a runtime: for an engine (e.g. in a query worker) that opened
 * the store as a consumer. `wrapRing` may wrap each ring (e.g. to record commits). Without a store the tables are
 * empty. Pair with osqueryEventsTable(() => statusFromMainThread) from @quarry/events.
 */
export function builtinEventTables(
  store: { ring(subscriber: string): EventRingApi } | undefined,
  wrapRing: (ring: EventRingApi) => EventRingApi = (ring) => ring,
): TableDefinition[] {
  return tables.map(([name, , , factory]) => factory(store ? wrapRing(store.ring(name)) : undefined));
}
