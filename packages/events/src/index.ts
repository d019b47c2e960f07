export * from './types.js';
export * from './event-publisher.js';
export * from './event-subscriber.js';
export * from './event-runtime.js';
export * from './osquery-events-table.js';
export * from './file-events-contract.js';
export * from './audit-events-contract.js';
export * from './malformed-input-log.js';
