import { defineFlags } from './definition.js';

/** The events framework and the file/syslog/hardware publishers' flags (osquery names and defaults). */
export const eventsFlags = defineFlags([
  { name: 'disable_events', type: 'bool', default: false,
    description: 'Disable osquery publish/subscribe system (the shell sets this to true before parsing flags)' },
  { name: 'events_expiry', type: 'uint64', default: 3600, description: 'Timeout to expire event subscriber results' },
  { name: 'events_max', type: 'uint64', default: 50000, description: 'Maximum number of event batches per type to buffer' },
  { name: 'events_optimize', type: 'bool', default: true, description: 'Optimize subscriber select queries (scheduler only)' },
  { name: 'events_enforce_denylist', type: 'bool', default: false, description: 'Enforce denylist on event-based queries', hidden: true },
  { name: 'enable_file_events', type: 'bool', default: false, description: 'Enable the file events publisher' },
  { name: 'hash_delay', type: 'uint32', default: 20, description: 'Number of milliseconds to delay after hashing', hidden: true, noEffect: 'hashes are computed on worker threads, bounded by --read_max, without a pause after each file' },
  { name: 'hardware_disabled_types', type: 'string', default: 'partition', description: 'List of disabled hardware event types' },
  { name: 'enable_syslog', type: 'bool', default: false, description: 'Enable the syslog ingestion event publisher' },
  { name: 'syslog_pipe_path', type: 'string', default: '/var/osquery/syslog_pipe', description: 'Path to the named pipe used for forwarding rsyslog events' },
  { name: 'syslog_rate_limit', type: 'uint64', default: 100, description: 'Maximum number of lines to read from pipe in a single iteration' },
  { name: 'syslog_events_expiry', type: 'uint64', default: 2592000, description: 'Timeout to expire syslog subscriber results' },
  { name: 'syslog_events_max', type: 'uint64', default: 100000, description: 'Maximum number of syslog events to buffer' },
]);
