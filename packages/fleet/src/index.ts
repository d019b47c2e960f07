export { RemoteError, describeConnectionError, type RemoteFailureKind } from './remote-errors.js';
export { remoteEndpointFromFlags, splitHostPort, type RemoteEndpoint } from './remote-endpoint.js';
export { TlsClient, jsonBody, type JsonObject, type PostOptions } from './tls-client.js';
export { RemoteSession, NODE_KEY, type FleetLog, type SessionOptions } from './remote-session.js';
export { TlsConfigSource, type TlsConfigOptions } from './tls-config.js';
export { TlsLogger, TLS_OUTBOX_STORE, MAX_CHUNK_BYTES, SEND_CONCURRENCY, type TlsLoggerOptions, type TlsLoggerCounters } from './tls-logger.js';
export { DistributedQueries, ACCELERATED_INTERVAL, type DistributedOptions, type DistributedRun, type DistributedFailure } from './distributed-queries.js';
