export * from './file-events-subscriber.js';
export * from './file-events-table.js';
export * from './file-hasher.js';
export * from './ring-table-source.js';
