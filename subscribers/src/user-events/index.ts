export * from './user-events-subscriber.js';
export * from './user-events-table.js';
