/** yara_events: osquery's columns (specs/yara_events.table), over the subscriber's ring. Light: no native imports. */
import type { EventRingApi } from '@quarry/buffers';
import type { ColumnDefinition, TableDefinition } from '@quarry/sql';
import { ringEventTable } from '../ring-event-table.js';

export const YARA_EVENTS_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'target_path', type: 'TEXT', description: 'The path scanned' },
  { name: 'category', type: 'TEXT', description: 'The category of the file' },
  { name: 'action', type: 'TEXT', description: 'Change action (UPDATE, REMOVE, etc)' },
  { name: 'matches', type: 'TEXT', description: 'List of YARA matches' },
  { name: 'count', type: 'INTEGER', description: 'Number of YARA matches' },
  { name: 'strings', type: 'TEXT', description: 'Matching strings' },
  { name: 'tags', type: 'TEXT', description: 'Matching tags' },
  // Not [additional] in osquery's spec (unlike file_events), but still pushed down to the ring as a range.
  { name: 'time', type: 'BIGINT', index: true, description: 'Time of the scan' },
  { name: 'eid', type: 'BIGINT', hidden: true, additional: true, description: 'Event ID' },
];

export const YARA_EVENTS_DESCRIPTION = 'Track YARA matches for files specified in configuration data.';

export function yaraEventsTable(ring: EventRingApi | undefined): TableDefinition {
  return ringEventTable('yara_events', YARA_EVENTS_DESCRIPTION, YARA_EVENTS_COLUMNS, ring);
}
