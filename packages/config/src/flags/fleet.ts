import { defineFlags, oneOf } from './definition.js';

const carverNoEffect = 'Quarry has no file carver yet: carves are not started (see docs/fleet.md)';

/**
 * osquery's TLS remote API (Fleet, osctrl, any osquery TLS server): enrollment, the tls config and logger plugins,
 * distributed queries. Names, types and defaults are osquery's; packages/fleet implements them.
 */
export const fleetFlags = defineFlags([
  // --- the server and the TLS connection
  { name: 'tls_hostname', type: 'string', default: '', description: 'TLS/HTTPS hostname for Config, Logger, and Enroll plugins', cliOnly: true },
  { name: 'tls_server_certs', type: 'string', default: '', cliOnly: true,
    description: 'Optional path to a TLS server PEM certificate(s) bundle (Quarry: empty = the system CA store; osquery default <certs home>/certs.pem)' },
  { name: 'tls_client_cert', type: 'string', default: '', description: 'Optional path to a TLS client-auth PEM certificate', cliOnly: true },
  { name: 'tls_client_key', type: 'string', default: '', description: 'Optional path to a TLS client-auth PEM private key', cliOnly: true },
  { name: 'tls_session_reuse', type: 'bool', default: true, description: 'Reuse TLS session sessions', cliOnly: true },
  { name: 'tls_session_timeout', type: 'uint32', default: 3600, description: 'TLS session keep alive timeout in seconds', cliOnly: true,
    noEffect: 'a kept-alive connection is reused until the server closes it' },
  { name: 'tls_accept_gzip', type: 'bool', default: false, description: 'Add Accept-Encoding: gzip when making TLS requests', cliOnly: true },
  { name: 'tls_allow_unsafe', type: 'bool', default: false, description: 'Allow TLS server certificate trust failures', cliOnly: true, hidden: true },
  { name: 'tls_dump', type: 'bool', default: false, description: 'Print remote requests and responses', cliOnly: true, hidden: true },
  { name: 'tls_node_api', type: 'bool', default: false, description: 'Use node key as TLS endpoints', cliOnly: true, hidden: true,
    noEffect: 'the node_key is always sent in the request body' },
  { name: 'tls_allow_plain_http', type: 'bool', default: false, cliOnly: true,
    description: 'Quarry-only: talk plain HTTP (no TLS) to --tls_hostname; refused unless it is a loopback address (tests, a local TLS-terminating proxy)' },
  { name: 'tls_request_timeout', type: 'uint64', default: 30, cliOnly: true,
    description: 'Quarry-only: seconds a request to the TLS server may take before it fails' },
  { name: 'tls_max_response_size', type: 'uint64', default: 10485760, cliOnly: true,
    description: 'Quarry-only: largest answer accepted from the TLS server, in bytes; a larger one fails the request' },
  { name: 'proxy_hostname', type: 'string', default: '', description: 'Optional HTTP proxy hostname', cliOnly: true },

  // --- enrollment
  { name: 'enroll_tls_endpoint', type: 'string', default: '', description: 'TLS/HTTPS endpoint for client enrollment', cliOnly: true },
  { name: 'enroll_secret_path', type: 'string', default: '', description: 'Path to an optional client enrollment-auth secret', cliOnly: true },
  { name: 'enroll_secret_env', type: 'string', default: '', description: 'Name of environment variable holding enrollment-auth secret', cliOnly: true },
  { name: 'disable_enrollment', type: 'bool', default: false, description: 'Disable enrollment functions on related config/logger plugins', cliOnly: true },
  { name: 'disable_reenrollment', type: 'bool', default: false, description: 'Disable re-enrollment attempts if related plugins return invalid', cliOnly: true },
  { name: 'enroll_always', type: 'bool', default: false, description: 'On startup, send a new enrollment request', cliOnly: true },
  { name: 'tls_enroll_override', type: 'string', default: 'enroll_secret', description: 'Override the TLS enroll secret key name', cliOnly: true, hidden: true },
  { name: 'tls_secret_always', type: 'bool', default: false, description: 'Include TLS enroll secret in every request', cliOnly: true, hidden: true },
  { name: 'tls_enroll_max_attempts', type: 'uint64', default: 12, description: 'The total number of attempts that will be made to the enroll endpoint if a request fails, 0 for infinite', cliOnly: true },
  { name: 'tls_enroll_max_interval', type: 'uint64', default: 600, description: 'Maximum wait time in seconds between enroll retry attempts', cliOnly: true },

  // --- tls config plugin
  { name: 'config_tls_endpoint', type: 'string', default: '', description: 'TLS/HTTPS endpoint for config retrieval', cliOnly: true },
  { name: 'config_tls_max_attempts', type: 'uint64', default: 3, description: 'Number of attempts to retry a TLS config request', cliOnly: true },

  // --- tls logger plugin
  { name: 'logger_tls_endpoint', type: 'string', default: '', description: 'TLS/HTTPS endpoint for results logging' },
  { name: 'logger_tls_period', type: 'uint64', default: 4, description: 'Seconds between flushing logs over TLS/HTTPS' },
  { name: 'logger_tls_max_lines', type: 'uint64', default: 1024, description: 'Max number of logs to send per period' },
  { name: 'logger_tls_max_linesize', type: 'uint64', default: 1048576, description: 'Max size in bytes allowed per log line', aliases: ['logger_tls_max'] },
  { name: 'logger_tls_compress', type: 'bool', default: false, description: 'GZip compress TLS/HTTPS request body' },
  { name: 'logger_tls_backoff_max', type: 'uint64', default: 3600, description: 'Maximum backoff period in seconds for TLS/HTTPS logger retries' },
  { name: 'tls_disable_status_log', type: 'bool', default: false, description: 'Disable sending status logs' },

  // --- distributed queries
  { name: 'disable_distributed', type: 'bool', default: true, description: 'Disable distributed queries' },
  { name: 'distributed_plugin', type: 'string', default: 'tls', description: 'Distributed plugin name', validate: oneOf('tls') },
  { name: 'distributed_interval', type: 'uint64', default: 60, description: 'Seconds between polling for new queries (default 60)' },
  { name: 'distributed_tls_read_endpoint', type: 'string', default: '', description: 'URI path to use for reading distributed queries' },
  { name: 'distributed_tls_write_endpoint', type: 'string', default: '', description: 'URI path to use for writing distributed query results' },
  { name: 'distributed_tls_max_attempts', type: 'uint64', default: 3, description: 'Number of times to attempt a request' },
  { name: 'distributed_denylist_duration', type: 'uint64', default: 86400, description: 'Seconds to denylist distributed queries (default 1 day)' },
  { name: 'distributed_loginfo', type: 'bool', default: false, description: 'Log the running distributed query name at INFO level' },

  // --- carver
  { name: 'disable_carver', type: 'bool', default: true, description: 'Disable the osquery file carver', cliOnly: true, noEffect: carverNoEffect },
  { name: 'carver_start_endpoint', type: 'string', default: '', description: 'TLS/HTTPS init endpoint for forensic carver', cliOnly: true, noEffect: carverNoEffect },
  { name: 'carver_continue_endpoint', type: 'string', default: '', description: 'TLS/HTTPS endpoint that receives carved content after session creation', cliOnly: true, noEffect: carverNoEffect },
  { name: 'carver_block_size', type: 'uint32', default: 8192, description: 'Size of blocks used for POSTing data back to remote endpoints', cliOnly: true, noEffect: carverNoEffect },
  { name: 'carver_compression', type: 'bool', default: false, description: 'Compress archives using zstd prior to upload (default false)', cliOnly: true, noEffect: carverNoEffect },
  { name: 'carver_expiry', type: 'uint32', default: 86400, description: 'Seconds to store successful carve result metadata (in carves table)', cliOnly: true, noEffect: carverNoEffect },
]);
