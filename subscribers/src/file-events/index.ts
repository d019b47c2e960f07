export * from './file-events-subscriber.js';
export * from './file-events-table.js';
export * from './file-inspector.js';
export * from '../ring-event-table.js';
