/** osquery_events: one row per publisher and per subscriber, from a status source (the runtime, or a copy of it). */
import type { TableDefinition } from '@quarry/sql';
import type { EventStatus } from './types.js';

export function osqueryEventsTable(statusSource: () => readonly EventStatus[]): TableDefinition {
  return {
    name: 'osquery_events',
    description: 'Information about the event publishers and subscribers.',
    attributes: { utility: true },
    columns: [
      { name: 'name', type: 'TEXT', description: 'Event publisher or subscriber name' },
      { name: 'publisher', type: 'TEXT', description: 'Name of the associated publisher' },
      { name: 'type', type: 'TEXT', description: 'Either publisher or subscriber' },
      { name: 'subscriptions', type: 'INTEGER', description: 'Number of subscriptions the publisher received or subscriber used' },
      { name: 'events', type: 'INTEGER', description: 'Number of events emitted or received since osquery started' },
      { name: 'refreshes', type: 'INTEGER', description: 'Publisher only: number of runloop restarts' },
      { name: 'active', type: 'INTEGER', description: '1 if the publisher or subscriber is active else 0' },
      { name: 'status', type: 'TEXT', hidden: true, description: 'Quarry: state and last problem in words' },
    ],
    *generate() {
      for (const s of statusSource()) {
        yield {
          name: s.name,
          publisher: s.publisher,
          type: s.type,
          subscriptions: s.subscriptions,
          events: s.events,
          refreshes: s.refreshes,
          active: s.active,
          status: s.status,
        };
      }
    },
  };
}
