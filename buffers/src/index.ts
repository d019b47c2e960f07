export * from './contract.js';
export { EventStore, type EventStoreOptions, type RingLimits, type StoreRole } from './event-store.js';
export { EventRing, type RingMeta, type CursorRecord } from './event-ring.js';
export { DatabaseOpenError } from './database-files.js';
export {
  DrainBusyError,
  drainOwner,
  sameDrainOwner,
  DEFAULT_DRAIN_LEASE_MS,
  isDrainBusy,
  type DrainLease,
} from './drain-lease.js';
export { eventTableGenerator, boundsFromConstraints } from './event-table.js';
export { quarryBuffersTable } from './quarry-buffers-table.js';
export type { KeyValueStore } from './key-value.js';
export {
  validateConsumerName,
  consumerNameProblem,
  ConsumerNameError,
  ConsumerLimitError,
  CONSUMER_NAME_MAX,
  DEFAULT_MAX_CONSUMERS,
} from './consumer-names.js';
export { BufferStorageError, type StorageFaultReport, type DropReason } from './append-faults.js';
export { STATE_FILE } from './state-marker.js';
