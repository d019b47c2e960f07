import { defineFlags } from './definition.js';

const port = (v: unknown) => (Number(v) >= 0 && Number(v) <= 65535 ? undefined : 'must be a TCP port between 0 and 65535');

/** Quarry-only: the quarryd HTTP endpoint (queries, buffer drains, live stream, /metrics). */
export const httpFlags = defineFlags([
  { name: 'http_bind', type: 'string', default: '127.0.0.1',
    description: 'Quarry-only: address the quarryd HTTP endpoint listens on (non-loopback needs TLS or --http_allow_insecure_bind)', cliOnly: true },
  { name: 'http_port', type: 'int32', default: 9710, description: 'Quarry-only: TCP port of the quarryd HTTP endpoint', cliOnly: true, validate: port },
  { name: 'http_tls_cert', type: 'string', default: '', description: 'Quarry-only: PEM certificate file; with --http_tls_key the endpoint serves HTTPS', cliOnly: true },
  { name: 'http_tls_key', type: 'string', default: '', description: 'Quarry-only: PEM private key file for --http_tls_cert', cliOnly: true },
  { name: 'http_token_file', type: 'string', default: '', description: 'Quarry-only: file holding the bearer token HTTP clients must send', cliOnly: true },
  { name: 'http_allow_insecure_bind', type: 'bool', default: false,
    description: 'Quarry-only: allow plain HTTP on a non-loopback --http_bind address', cliOnly: true },
  { name: 'http_rate_limit', type: 'uint64', default: 100, description: 'Quarry-only: requests per second allowed per consumer (and per client address off loopback); /metrics and /healthz each have an allowance of their own (0 = no limit)' },
  { name: 'http_max_concurrent_queries', type: 'uint64', default: 4, description: 'Quarry-only: queries the HTTP endpoint runs at once; more wait or get 503' },
  { name: 'http_body_limit', type: 'uint64', default: 1048576, description: 'Quarry-only: largest accepted HTTP request body in bytes' },
]);
