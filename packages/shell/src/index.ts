export { main } from './main.js';
export type { QueryBackend, StatementOutcome, TableSummary } from './backend.js';
export { StatementError } from './backend.js';
export { RemoteBackend } from './remote-backend.js';
