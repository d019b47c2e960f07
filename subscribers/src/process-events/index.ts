export * from './audit-event-context.js';
export * from './process-events-subscriber.js';
export * from './process-events-table.js';
