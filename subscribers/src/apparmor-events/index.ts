export * from './apparmor-events-subscriber.js';
export * from './apparmor-events-table.js';
