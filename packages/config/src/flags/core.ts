import { defineFlags, oneOf } from './definition.js';

/**
 * Core agent flags: config, database, scheduler, watchdog, tables, status/result logging.
 * Names, types and defaults are osquery's (Linux paths). Quarry-only flags say so in their description.
 */
export const coreFlags = defineFlags([
  // --- process mode and help (osquery: -S/-D force shell/daemon mode; names <= 2 chars are not in osquery_flags)
  { name: 'S', type: 'bool', default: false, description: 'Run as a shell process', cliOnly: true, hidden: true, noEffect: 'quarryi is always the shell and quarryd always the daemon' },
  { name: 'D', type: 'bool', default: false, description: 'Run as a daemon process', cliOnly: true, hidden: true, noEffect: 'quarryi is always the shell and quarryd always the daemon' },

  // --- configuration
  // Any name is accepted, as osquery: a plugin that does not exist is reported when the config is read
  // (--config_check exits 78, EX_CONFIG); the known ones are KNOWN_CONFIG_PLUGINS (cli-checks.ts).
  { name: 'config_plugin', type: 'string', default: 'filesystem', description: 'Config plugin name', cliOnly: true },
  { name: 'config_path', type: 'string', default: '/etc/osquery/osquery.conf', description: 'Path to JSON config file', cliOnly: true },
  { name: 'config_check', type: 'bool', default: false, description: 'Check the format of an osquery config and exit', cliOnly: true },
  { name: 'config_dump', type: 'bool', default: false, description: 'Dump the contents of the configuration, then exit', cliOnly: true },
  { name: 'config_refresh', type: 'uint64', default: 0, description: 'Optional interval in seconds to re-read configuration',
    aliases: ['config_tls_refresh'] },
  { name: 'config_accelerated_refresh', type: 'uint64', default: 300, description: 'Interval to wait if reading a configuration fails',
    aliases: ['config_tls_accelerated_refresh'] },
  { name: 'config_enable_backup', type: 'bool', default: false, description: 'Backup config and use it when refresh fails', cliOnly: true, noEffect: 'a filesystem config is its own backup; a tls or extension config is kept in memory only, so a quarryd started while its server is down runs without a schedule until the first fetch works' },
  { name: 'flagfile', type: 'string', default: '', description: 'Line-delimited file of additional flags', cliOnly: true },

  // --- database, process files
  // Quarry's own defaults for database_path, logger_path and pidfile (osquery: /var/osquery/osquery.db,
  // /var/log/osquery/, /var/run/osqueryd.pidfile) so quarryd can run next to an osqueryd without sharing its files.
  { name: 'database_path', type: 'string', default: '/var/quarry/quarry.db',
    description: 'If using a disk-based backing store, specify a path (Quarry: the LMDB environment; osquery default /var/osquery/osquery.db)', cliOnly: true,
    aliases: ['db_path'] },
  { name: 'disable_database', type: 'bool', default: false, description: 'Disable the persistent RocksDB storage (Quarry: keep event buffers in memory only)', cliOnly: true, hidden: true },
  { name: 'ephemeral', type: 'bool', default: false, description: 'Skip pidfile and database state checks', cliOnly: true, hidden: true },
  { name: 'pidfile', type: 'string', default: '/var/run/quarryd.pidfile', description: 'Path to the daemon pidfile mutex (osquery default /var/run/osqueryd.pidfile)', cliOnly: true },
  { name: 'force', type: 'bool', default: false, description: 'Force osqueryd to kill previously-running daemons', cliOnly: true },
  { name: 'daemonize', type: 'bool', default: false, description: 'Attempt to daemonize (POSIX only)', cliOnly: true, noEffect: 'quarryd always runs in the foreground (run it under systemd, docker or nohup)' },
  { name: 'utc', type: 'bool', default: true, description: 'Convert all UNIX times to UTC', noEffect: 'Quarry always reports times in UTC (osquery\'s default)' },

  // --- host identity
  { name: 'host_identifier', type: 'string', default: 'hostname',
    description: 'Field used to identify the host running osquery (hostname, uuid, instance, ephemeral, specified)',
    validate: oneOf('hostname', 'uuid', 'instance', 'ephemeral', 'specified') },
  { name: 'specified_identifier', type: 'string', default: '', description: 'Field used to specify the host_identifier when set to "specified"' },

  // --- SQL and tables
  { name: 'query_timeout', type: 'uint64', default: 60,
    description: 'Quarry-only: stop a query that runs longer than this many seconds (0 = no limit)' },
  { name: 'read_max', type: 'uint64', default: 52428800, description: 'Maximum file read size' },
  { name: 'nullvalue', type: 'string', default: '', description: "Set string for NULL values, default ''" },
  { name: 'disable_tables', type: 'string', default: '', description: 'Comma-delimited list of table names to be disabled' },
  { name: 'enable_tables', type: 'string', default: '',
    description: 'Comma-delimited list of table names to be enabled (every other table is disabled; disable_tables wins)' },
  { name: 'disable_caching', type: 'bool', default: false, description: 'Disable scheduled query caching' },
  { name: 'table_delay', type: 'uint64', default: 0, description: 'Add an optional microsecond delay between table scans', hidden: true, noEffect: 'tables are not throttled between scans; --query_timeout and the watchdog bound their cost' },
  { name: 'regex_max_size', type: 'uint32', default: 256, description: 'Maximum size of a regex pattern in bytes', hidden: true },
  { name: 'hash_cache_max', type: 'uint32', default: 500, description: 'Size of LRU file hash cache' },
  { name: 'augeas_lenses', type: 'string', default: '/usr/share/augeas/lenses/dist',
    description: "Directory that contains augeas lenses files (Quarry default: Debian's augeas-lenses directory; osquery default /opt/osquery/share/osquery/lenses)" },
  { name: 'docker_socket', type: 'string', default: '/var/run/docker.sock', description: 'Docker UNIX domain socket path' },
  { name: 'carver_disable_function', type: 'bool', default: true, description: 'Disable the osquery file carver function' },
  { name: 'verbose', type: 'bool', default: false, description: 'Enable verbose informational messages' },

  // --- scheduler and packs
  { name: 'schedule_splay_percent', type: 'uint64', default: 10, description: 'Percent to splay config times' },
  { name: 'schedule_default_interval', type: 'uint64', default: 3600, description: 'Query interval to use if none is provided' },
  { name: 'schedule_timeout', type: 'uint64', default: 0, description: 'Limit the schedule, 0 for no limit' },
  { name: 'schedule_max_drift', type: 'uint64', default: 60,
    description: 'Max time drift in seconds. Scheduler tries to compensate the drift until the drift exceed this value. After it the drift will be reset to zero and the compensation process will start from the beginning. It is needed to avoid the problem of endless compensation (which is CPU greedy) after a long SIGSTOP/SIGCONT pause or something similar. Set it to zero to switch off a drift compensation.' },
  { name: 'schedule_epoch', type: 'uint64', default: 0, description: 'Epoch for scheduled queries' },
  { name: 'schedule_reload', type: 'uint64', default: 3600, description: 'Interval in seconds to reload database arenas', noEffect: 'LMDB needs no periodic arena reset' },
  { name: 'schedule_lognames', type: 'bool', default: false, description: 'Log the running scheduled query name at INFO level' },
  { name: 'pack_refresh_interval', type: 'uint64', default: 3600, description: 'Cache expiration for a packs discovery queries' },
  { name: 'pack_delimiter', type: 'string', default: '_', description: 'Delimiter for pack and query names' },
  { name: 'worker_threads', type: 'int32', default: 4, description: 'Number of work dispatch threads (Quarry: query worker threads in quarryd)',
    validate: (v) => (Number(v) >= 1 ? undefined : 'must be at least 1') },

  // --- decorators
  { name: 'disable_decorators', type: 'bool', default: false, description: 'Disable log result decoration' },
  { name: 'decorations_top_level', type: 'bool', default: false, description: 'Add decorators as top level JSON objects' },

  // --- watchdog
  { name: 'disable_watchdog', type: 'bool', default: false, description: 'Disable userland watchdog process', cliOnly: true },
  // Any int32, as osquery: 1 is restrictive, -1 effectively off, every other value normal (osquery's watcher).
  { name: 'watchdog_level', type: 'int32', default: 0, description: 'Performance limit level (0=normal, 1=restrictive, -1=off)', cliOnly: true },
  { name: 'watchdog_memory_limit', type: 'uint64', default: 0, description: 'Override watchdog profile memory limit (e.g., 300, for 300MB)', cliOnly: true },
  { name: 'watchdog_utilization_limit', type: 'uint64', default: 0, description: 'Override watchdog profile CPU utilization limit', cliOnly: true },
  { name: 'watchdog_latency_limit', type: 'uint64', default: 0, description: 'Override watchdog profile CPU latency limit', cliOnly: true },
  { name: 'watchdog_delay', type: 'uint64', default: 60,
    description: 'Initial delay in seconds before watchdog starts enforcing memory and CPU utilization limits', cliOnly: true },
  { name: 'watchdog_forced_shutdown_delay', type: 'uint64', default: 4,
    description: 'Seconds that the watchdog will wait to do a forced shutdown after a graceful shutdown request, when a resource limit is hit', cliOnly: true },
  { name: 'watchdog_max_delay', type: 'uint64', default: 600, description: 'Max delay in seconds between worker respawns', cliOnly: true, hidden: true },
  { name: 'enable_watchdog_debug', type: 'bool', default: false, description: 'Enable debug messages for the watchdog process', cliOnly: true },
  { name: 'alarm_timeout', type: 'uint64', default: 15, description: 'Seconds to allow for shutdown. Minimum is 10', cliOnly: true },

  // --- extensions: see extensions.ts

  // --- status and result logging
  { name: 'disable_logging', type: 'bool', default: false, description: 'Disable ERROR/INFO logging' },
  { name: 'logger_plugin', type: 'string', default: 'filesystem', description: 'Logger plugin name', cliOnly: true },
  { name: 'logger_path', type: 'string', default: '/var/log/quarry/', description: 'Directory path for ERROR/WARN/INFO and results logging (osquery default /var/log/osquery/)',
    cliOnly: true, aliases: ['osquery_log_dir'] },
  { name: 'logger_mode', type: 'int32', default: 0o640, description: "Octal mode for log files (default '0640')", octal: true,
    validate: (v) => (Number(v) >= 0 && Number(v) <= 0o7777 ? undefined : 'must be a file mode between 0 and 07777') },
  { name: 'logger_event_type', type: 'bool', default: true, description: 'Log scheduled results as events' },
  { name: 'logger_snapshot_event_type', type: 'bool', default: false, description: 'Log scheduled snapshot results as events' },
  { name: 'logger_numerics', type: 'bool', default: false, description: 'Use numeric JSON syntax for numeric values',
    aliases: ['log_numerics_as_numbers'] },
  { name: 'logger_min_status', type: 'int32', default: 0, description: 'Minimum level for status log recording' },
  { name: 'logger_min_stderr', type: 'int32', default: 0, description: 'Minimum level for statuses written to stderr' },
  { name: 'logger_stderr', type: 'bool', default: true, description: 'Write status logs to stderr' },
  { name: 'logger_rotate', type: 'bool', default: false, description: 'Use log file rotation' },
  { name: 'logger_rotate_size', type: 'uint64', default: 26214400, description: 'Size in bytes log files will be rotated' },
  { name: 'logger_rotate_max_files', type: 'uint64', default: 25, description: 'Number of files to keep in rotation' },
  { name: 'logger_syslog_facility', type: 'int32', default: 19, description: 'Syslog facility for status and results logs (0-23, default 19)',
    validate: (v) => (Number.isInteger(Number(v)) && Number(v) >= 0 && Number(v) <= 23
      ? undefined
      : 'must be a syslog facility number between 0 and 23 (the LOG_* facility value >> 3: 1 = user, 3 = daemon, 16-23 = local0-local7; default 19 = local3)') },
  { name: 'logger_syslog_prepend_cee', type: 'bool', default: false, description: 'Prepend @cee: tag to logged JSON messages' },
  { name: 'logger_syslog_socket', type: 'string', default: '/dev/log', cliOnly: true,
    description: 'Quarry-only: path of the syslog daemon\'s Unix datagram socket the syslog logger plugin sends to (default /dev/log)' },
  { name: 'buffered_log_max', type: 'uint64', default: 1000000, description: 'Maximum number of logs in buffered output plugins (0 = unlimited)' },
]);
