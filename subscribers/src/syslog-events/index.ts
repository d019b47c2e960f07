export * from './syslog-events-subscriber.js';
export * from './syslog-events-table.js';
