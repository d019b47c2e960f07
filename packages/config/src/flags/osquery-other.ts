import { defineFlags, type FlagDefinition } from './definition.js';

/**
 * The rest of osquery 5.23's flags (../shared/reference/osquery-flags.md) that no other group defines: other
 * platforms' publishers and tables, AWS/Kafka loggers, RocksDB tuning, numeric monitoring, service install. osquery
 * accepts every flag it defines on every platform, so an osquery flagfile or `options` block loads unchanged; each
 * says why it changes nothing here (a value other than the default is reported once as "no effect in Quarry").
 * Flags that Quarry implements are in their own groups (core, shell, events, audit, yara, http, and the fleet and
 * extensions groups).
 */

const WINDOWS = 'a Windows feature: Quarry runs on Linux';
const DARWIN = 'a macOS feature (EndpointSecurity/IOKit events): Quarry runs on Linux';
const AWS = 'the AWS logger plugins (kinesis, firehose) and AWS tables are not part of Quarry';
const KAFKA = 'the kafka_producer logger plugin is not part of Quarry';
const ROCKSDB = 'Quarry stores its database in LMDB, not RocksDB';
const NUMERIC = 'osquery numeric monitoring is not part of Quarry; quarryd exposes its figures at the HTTP /metrics endpoint';

type Kind = Pick<FlagDefinition, 'cliOnly' | 'hidden' | 'shellOnly'>;
const CLI: Kind = { cliOnly: true };
const HIDDEN: Kind = { hidden: true };

function noEffect(reason: string, kind: Kind, flags: Array<Omit<FlagDefinition, 'noEffect'>>): FlagDefinition[] {
  return flags.map((flag) => ({ ...kind, ...flag, noEffect: reason }));
}

const etwFlags = ['kernel', 'userspace'].flatMap((side) =>
  ['buffer_size', 'flush_timer', 'maximum_buffers', 'minimum_buffers'].map(
    (setting): Omit<FlagDefinition, 'noEffect'> => ({
      name: `etw_${side}_trace_${setting}`,
      type: 'uint32',
      default: setting === 'buffer_size' ? 64 : setting === 'flush_timer' ? 1 : setting === 'maximum_buffers' ? 32 : 8,
      description: `ETW ${side} trace session ${setting.replaceAll('_', ' ')}`,
    }),
  ),
);

export const osqueryOtherFlags = defineFlags([
  // --- implemented here (their code is in the shell/daemon)
  { name: 'database_dump', type: 'bool', default: false, description: 'Dump the contents of the backing store', cliOnly: true },
  { name: 'enable_foreign', type: 'bool', default: false, description: 'Enable no-op foreign virtual tables' },

  // --- accepted, nothing to do in Quarry
  ...noEffect('osqueryi\'s -a is an unused alias; Quarry\'s shell has no such switch', { shellOnly: true, hidden: true }, [
    { name: 'a', type: 'bool', default: false, description: 'Alias of -n (unused)' },
  ]),
  ...noEffect('Quarry\'s watcher does not manage extension processes', CLI, [
    { name: 'enable_extensions_watchdog', type: 'bool', default: false, description: 'Disable userland watchdog for extensions processes' },
  ]),
  ...noEffect('Node.js manages its own heap; there is no glibc malloc_trim to call', {}, [
    { name: 'malloc_trim_threshold', type: 'uint64', default: 200, description: 'Memory threshold in MB used to decide when a malloc_trim will be called' },
  ]),
  ...noEffect('views are created once per config change; there is no periodic SQL reload', HIDDEN, [
    { name: 'schedule_reload_sql', type: 'bool', default: false, description: 'Reload the SQL implementation during schedule reload' },
  ]),
  ...noEffect('there is no experiment list in Quarry', {}, [
    { name: 'experiment_list', type: 'string', default: '', description: 'Comma-separated list of experiments to enable' },
  ]),
  ...noEffect('Quarry\'s tables never read special files through an unsafe path', HIDDEN, [
    { name: 'allow_unsafe', type: 'bool', default: false, description: 'Allow unsafe executable permissions' },
  ]),
  ...noEffect('Quarry has no memory-reading tables (/dev/mem)', {}, [
    { name: 'disable_memory', type: 'bool', default: false, description: 'Disable physical memory reads' },
  ]),
  ...noEffect('status logs are written synchronously already', HIDDEN, [
    { name: 'logger_status_sync', type: 'bool', default: false, description: 'Always send status logs synchronously' },
  ]),
  ...noEffect('install quarryd as a service with its systemd unit or container (docs/deployment.md)', CLI, [
    { name: 'install', type: 'bool', default: false, description: 'Install osqueryd as a service' },
    { name: 'uninstall', type: 'bool', default: false, description: 'Uninstall osqueryd as a service' },
  ]),
  ...noEffect(NUMERIC, {}, [
    { name: 'enable_numeric_monitoring', type: 'bool', default: false, description: 'Enable numeric monitoring system' },
    { name: 'numeric_monitoring_plugins', type: 'string', default: 'filesystem', description: 'Comma separated numeric monitoring plugins names' },
    { name: 'numeric_monitoring_pre_aggregation_time', type: 'uint64', default: 60, description: 'Time period in seconds for numeric monitoring pre-aggregation buffer' },
    { name: 'numeric_monitoring_filesystem_path', type: 'string', default: '/var/log/osquery/numeric_monitoring.log', description: 'File to dump numeric monitoring records one per line' },
  ]),
  ...noEffect('Quarry\'s plugin registry reports every failure; there are no registry exceptions to ignore', HIDDEN, [
    { name: 'ignore_registry_exceptions', type: 'bool', default: false, description: 'Allow registry plugins to throw exceptions' },
  ]),
  ...noEffect('a table that fails reports an error for that query; the agent never stops on a table error', {}, [
    { name: 'ignore_table_exceptions', type: 'bool', default: false, description: 'Let osquery ignore table exceptions' },
  ]),
  ...noEffect('hashes are cached by path, inode and mtime always (--hash_cache_max bounds the cache)', {}, [
    { name: 'disable_hash_cache', type: 'bool', default: false, description: 'Cache calculated file hashes, re-calculate only if inode times change' },
  ]),
  ...noEffect('Quarry has no lxd tables', {}, [
    { name: 'lxd_socket', type: 'string', default: '/var/lib/lxd/unix.socket', description: 'LXD UNIX domain socket path' },
  ]),
  ...noEffect('the TLS client resolves host names through the system resolver at each connection; there is no DNS cache to refresh', {}, [
    { name: 'dns_resolver_refresh_interval', type: 'int32', default: 60, description: 'Interval in seconds to refresh the DNS resolver configuration (0 to disable)' },
  ]),
  ...noEffect('the container worker is not part of Quarry', CLI, [
    { name: 'keep_container_worker_open', type: 'bool', default: false, description: 'Keep the container worker process open' },
  ]),
  ...noEffect(ROCKSDB, HIDDEN, [
    { name: 'rocksdb_background_flushes', type: 'int32', default: 4, description: 'Max background flushes' },
    { name: 'rocksdb_buffer_blocks', type: 'int32', default: 256, description: 'Block cache size' },
    { name: 'rocksdb_merge_number', type: 'int32', default: 4, description: 'Min write buffers to merge' },
    { name: 'rocksdb_write_buffer', type: 'int32', default: 16, description: 'Max write buffer number' },
  ]),

  // --- other platforms
  ...noEffect(DARWIN, {}, [
    { name: 'disable_endpointsecurity', type: 'bool', default: true, description: 'Disable receiving events from the EndpointSecurity subsystem' },
    { name: 'disable_endpointsecurity_fim', type: 'bool', default: true, description: 'Disable file events from the EndpointSecurity subsystem' },
    { name: 'enable_keyboard_events', type: 'bool', default: false, description: 'Enable listening for keyboard events' },
    { name: 'enable_mouse_events', type: 'bool', default: false, description: 'Enable listening for mouse events' },
    { name: 'es_fim_enable_open_events', type: 'bool', default: false, description: 'Enable open events' },
    { name: 'es_fim_mute_path_literal', type: 'string', default: '', description: 'Comma delimited list of path literals to be muted for FIM' },
    { name: 'es_fim_mute_path_prefix', type: 'string', default: '', description: 'Comma delimited list of path prefixes to be muted for FIM' },
  ]),
  ...noEffect(WINDOWS, {}, [
    { name: 'enable_dns_lookup_events', type: 'bool', default: false, description: 'Enables the DNS lookup event publisher' },
    { name: 'enable_ntfs_event_publisher', type: 'bool', default: false, description: 'Enables the NTFS event publisher' },
    { name: 'enable_process_etw_events', type: 'bool', default: false, description: 'Enables the process ETW event publisher' },
    { name: 'enable_windows_events_publisher', type: 'bool', default: false, description: 'Enables the Windows events publisher' },
    { name: 'enable_powershell_events_subscriber', type: 'bool', default: false, description: 'Enables Powershell events' },
    { name: 'enable_windows_events_subscriber', type: 'bool', default: false, description: 'Enables Windows Event Log events' },
    { name: 'windows_event_channels', type: 'string', default: 'System,Application,Setup,Security', description: 'Comma-separated list of Windows event log channels' },
    { name: 'groups_service_delay', type: 'uint32', default: 150, description: 'Delay in milliseconds between each group enumeration' },
    { name: 'groups_service_interval', type: 'uint32', default: 1800, description: 'Interval in seconds between groups cache updates' },
    { name: 'users_service_delay', type: 'uint32', default: 250, description: 'Delay in milliseconds between each user enumeration' },
    { name: 'users_service_interval', type: 'uint32', default: 1800, description: 'Interval in seconds between users cache updates' },
  ]),
  ...noEffect(WINDOWS, HIDDEN, [
    { name: 'allow_handle_threads', type: 'bool', default: true, description: 'Allow the handles table to use threads' },
    { name: 'ntfs_event_publisher_debug', type: 'bool', default: false, description: 'Debug the NTFS event publisher' },
    { name: 'usn_journal_reader_debug', type: 'bool', default: false, description: 'Debug the USN journal reader' },
    ...etwFlags,
  ]),

  // --- AWS and Kafka
  ...noEffect(AWS, {}, [
    { name: 'aws_access_key_id', type: 'string', default: '', description: 'AWS access key ID' },
    { name: 'aws_debug', type: 'bool', default: false, description: 'Enable AWS SDK debug logging' },
    { name: 'aws_disable_imdsv1_fallback', type: 'bool', default: false, description: 'Disable the fallback to IMDSv1' },
    { name: 'aws_enable_proxy', type: 'bool', default: false, description: 'Enable proxying of HTTP/HTTPS requests in AWS client config' },
    { name: 'aws_imdsv2_request_attempts', type: 'uint32', default: 3, description: 'How many attempts to do at requesting an IMDSv2 token' },
    { name: 'aws_imdsv2_request_interval', type: 'uint32', default: 3, description: 'Base seconds to wait between attempts (exponential)' },
    { name: 'aws_profile_name', type: 'string', default: '', description: 'AWS profile for authentication and region configuration' },
    { name: 'aws_proxy_host', type: 'string', default: '', description: 'Proxy host for use in AWS client config' },
    { name: 'aws_proxy_password', type: 'string', default: '', description: 'Proxy password for use in AWS client config' },
    { name: 'aws_proxy_port', type: 'uint32', default: 0, description: 'Proxy port for use in AWS client config' },
    { name: 'aws_proxy_scheme', type: 'string', default: 'https', description: 'Proxy HTTP scheme for use in AWS client config (http or https, default https)' },
    { name: 'aws_proxy_username', type: 'string', default: '', description: 'Proxy username for use in AWS client config' },
    { name: 'aws_region', type: 'string', default: '', description: 'AWS region' },
    { name: 'aws_secret_access_key', type: 'string', default: '', description: 'AWS secret access key' },
    { name: 'aws_session_token', type: 'string', default: '', description: 'AWS session token' },
    { name: 'aws_sts_arn_role', type: 'string', default: '', description: 'AWS STS ARN role' },
    { name: 'aws_sts_region', type: 'string', default: '', description: 'AWS STS region' },
    { name: 'aws_sts_session_name', type: 'string', default: 'default', description: 'AWS STS session name' },
    { name: 'aws_sts_timeout', type: 'uint64', default: 3600, description: 'AWS STS assume role credential validity in seconds' },
    { name: 'aws_firehose_period', type: 'uint64', default: 10, description: 'Seconds between flushing logs to Firehose (default 10)' },
    { name: 'aws_firehose_region', type: 'string', default: '', description: 'Region to use for Firehose instead of the default' },
    { name: 'aws_firehose_stream', type: 'string', default: '', description: 'Name of Firehose stream for logging' },
    { name: 'aws_kinesis_disable_log_status', type: 'bool', default: false, description: 'Disable status logs processing' },
    { name: 'aws_kinesis_endpoint', type: 'string', default: '', description: 'Custom Kinesis endpoint' },
    { name: 'aws_kinesis_period', type: 'uint64', default: 10, description: 'Seconds between flushing logs to Kinesis (default 10)' },
    { name: 'aws_kinesis_region', type: 'string', default: '', description: 'Region to use for Kinesis instead of the default' },
    { name: 'aws_kinesis_stream', type: 'string', default: '', description: 'Name of Kinesis stream for logging' },
  ]),
  ...noEffect(AWS, CLI, [
    { name: 'aws_enforce_fips', type: 'bool', default: false, description: 'Enforce FIPS 140-2 endpoints for AWS' },
  ]),
  ...noEffect(KAFKA, {}, [
    { name: 'logger_kafka_acks', type: 'string', default: 'all', description: 'The number of acknowledgments the leader has to receive (0, 1, \'all\')' },
    { name: 'logger_kafka_brokers', type: 'string', default: 'localhost', description: 'Bootstrap broker(s) as a comma-separated list of host or host:port' },
    { name: 'logger_kafka_compression', type: 'string', default: 'none', description: 'Compression codec to use for compressing message sets (\'none\' or \'gzip\')' },
    { name: 'logger_kafka_topic', type: 'string', default: '', description: 'Kafka topic to publish logs under' },
  ]),
]);
