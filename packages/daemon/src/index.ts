export { Daemon, main } from './daemon.js';
export { QueryPool, QueryFailure, type PooledResult, type QueryJob } from './pool/query-pool.js';
export { calendarTime, loggedRow, eventLines, snapshotLine, batchLine } from './results/result-format.js';
export { diffRows } from './results/differential.js';
export { splayValue } from './scheduler/daemon-state.js';
