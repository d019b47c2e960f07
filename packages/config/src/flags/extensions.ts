import { defineFlags } from './definition.js';

/** osquery's Thrift extension API flags (packages/extensions; docs/extensions.md). */
export const extensionsFlags = defineFlags([
  { name: 'disable_extensions', type: 'bool', default: false, description: 'Disable extension API', cliOnly: true },
  { name: 'extensions_socket', type: 'string', default: '/var/osquery/osquery.em', description: 'Path to the extensions UNIX domain socket', cliOnly: true },
  { name: 'extensions_autoload', type: 'string', default: '/etc/osquery/extensions.load', description: 'Optional path to a list of autoloaded & managed extensions', cliOnly: true },
  { name: 'extensions_timeout', type: 'string', default: '3', description: 'Seconds to wait for autoloaded extensions', cliOnly: true,
    validate: (v) => (/^\d+$/.test(String(v)) && Number(v) > 0 ? undefined : 'must be a whole number of seconds > 0') },
  { name: 'extensions_interval', type: 'string', default: '3', description: 'Seconds delay between connectivity checks', cliOnly: true,
    validate: (v) => (/^\d+$/.test(String(v)) && Number(v) > 0 ? undefined : 'must be a whole number of seconds > 0') },
  { name: 'extensions_require', type: 'string', default: '', description: 'Comma-separated list of required extensions', cliOnly: true },
  { name: 'extensions_default_index', type: 'bool', default: true, description: 'Enable INDEX on all extension table columns (default true)' },
  { name: 'thrift_string_size_limit', type: 'int32', default: 0, description: 'Thrift string size limit in bytes (0 for no limit)',
    noEffect: 'the extension manager bounds whole messages instead: 16 MiB per request, 64 MiB per extension answer' },
  { name: 'thrift_timeout', type: 'uint32', default: 300, description: 'Thrift timeout for extension manager and extension calls in seconds',
    noEffect: 'calls to extensions are bounded by --extensions_timeout, and table generate calls by --query_timeout' },
  { name: 'thrift_verbose', type: 'bool', default: false, description: 'Enable verbose Thrift logs',
    noEffect: 'the extension manager always logs dropped connections and refused registrations' },
  { name: 'extension', type: 'string', default: '', description: 'Path to a single extension to autoload', shellOnly: true },
]);
