export * from './process-file-events-subscriber.js';
export * from './process-file-events-table.js';
