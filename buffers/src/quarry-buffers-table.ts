/** `quarry_buffers`: one row per ring and consumer (a ring without consumers gives one row, consumer NULL). */
import type { Row, TableDefinition } from '@quarry/sql';
import type { EventStore } from './event-store.js';

export function quarryBuffersTable(store: EventStore): TableDefinition {
  return {
    name: 'quarry_buffers',
    description: 'Event buffers (one per _events table) and the progress of each consumer draining them.',
    columns: [
      { name: 'subscriber', type: 'TEXT', description: 'The _events table the buffer feeds' },
      { name: 'rows', type: 'BIGINT', description: 'Rows stored now' },
      { name: 'oldest_time', type: 'BIGINT', description: 'time of the oldest stored row' },
      { name: 'newest_time', type: 'BIGINT', description: 'time of the newest stored row' },
      { name: 'appended', type: 'BIGINT', description: 'Rows ever appended' },
      { name: 'expired', type: 'BIGINT', description: 'Rows removed for being older than --events_expiry' },
      { name: 'dropped', type: 'BIGINT', description: 'Oldest rows removed to stay within --events_max' },
      { name: 'consumer', type: 'TEXT', description: 'A reader with a cursor (shell session, scheduled query, HTTP client)' },
      { name: 'cursor', type: 'BIGINT', description: 'Last eid the consumer committed' },
      { name: 'lag', type: 'BIGINT', description: 'Rows stored after the cursor' },
      { name: 'lost', type: 'BIGINT', description: 'Rows expired or dropped before the consumer read them' },
    ],
    attributes: { utility: true },
    generate() {
      const rows: Row[] = [];
      for (const ring of store.rings()) {
        const stats = ring.stats();
        const base = {
          subscriber: stats.subscriber,
          rows: stats.rows,
          oldest_time: stats.oldestTime,
          newest_time: stats.newestTime,
          appended: stats.appended,
          expired: stats.expired,
          dropped: stats.dropped,
        };
        if (stats.consumers.length === 0) {
          rows.push({ ...base, consumer: null, cursor: null, lag: null, lost: null });
        }
        for (const consumer of stats.consumers) {
          rows.push({ ...base, consumer: consumer.consumer, cursor: consumer.cursor, lag: consumer.lag, lost: consumer.lost });
        }
      }
      return rows;
    },
  };
}
