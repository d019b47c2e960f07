export * from './socket-events-subscriber.js';
export * from './socket-events-table.js';
