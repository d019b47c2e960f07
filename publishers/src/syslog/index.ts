export * from './syslog-event-context.js';
export * from './syslog-csv.js';
export * from './syslog-publisher.js';
