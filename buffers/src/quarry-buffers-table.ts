/**
 * `quarry_buffers`: one row per ring and consumer (a ring without consumers gives one row, consumer NULL). A consumer
 * whose first drain is running has no cursor yet: it is listed with cursor 0 (where its drain reads from) and its
 * drain's pid, so a 409 "being drained" answer can always be traced to the process that holds the lease.
 */
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
      { name: 'draining_pid', type: 'BIGINT', description: 'pid of the process draining this consumer right now (its drain lease), else NULL' },
      { name: 'draining_since', type: 'BIGINT', description: 'When that drain took the lease (unix seconds), else NULL' },
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
        const leases = ring.liveDrainLeases();
        const draining = (consumer: string) => {
          const lease = leases.get(consumer);
          return { draining_pid: lease?.pid ?? null, draining_since: lease ? Math.floor(lease.takenAt / 1000) : null };
        };
        const consumers = [...stats.consumers];
        for (const consumer of leases.keys()) {
          if (!consumers.some((c) => c.consumer === consumer)) consumers.push({ consumer, cursor: 0, lag: stats.rows, lost: 0 });
        }
        if (consumers.length === 0) {
          rows.push({ ...base, consumer: null, cursor: null, lag: null, lost: null, draining_pid: null, draining_since: null });
        }
        for (const consumer of consumers) {
          rows.push({ ...base, consumer: consumer.consumer, cursor: consumer.cursor, lag: consumer.lag, lost: consumer.lost, ...draining(consumer.consumer) });
        }
      }
      return rows;
    },
  };
}
