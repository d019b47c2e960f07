export * from './selinux-events-subscriber.js';
export * from './selinux-events-table.js';
export * from './selinux-record-types.js';
