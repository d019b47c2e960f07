export * from './hardware-events-subscriber.js';
export * from './hardware-events-table.js';
