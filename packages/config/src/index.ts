// Flags: definitions (grouped by area in src/flags/), parsing, the per-process Flags object.
export * from './flags/index.js';
export { Flags, FlagError, type FlagRow } from './flags/flags.js';
export type { ParseOptions, ParseResult } from './flags/argv.js';
export { convertFlagValue, formatFlagValue, expectedValue } from './flags/value.js';
export { closestMatch, editDistance } from './edit-distance.js';
export { usageText } from './usage.js';
export { brandDefinitions, invocationOf, type Brand, type Invocation } from './invocation.js';

// Config: osquery.conf loading, validation, options, schedule/packs, dump and hash.
export * from './config/types.js';
export { ConfigError } from './config/config-error.js';
export { loadConfig, applyConfigSources, parseConfigText, CONFIG_MAX_BYTES, CONFIG_MAX_DEPTH, type LoadConfigOptions } from './config/load.js';
export { applyConfigOptions } from './config/options.js';
export { configDump, configHash } from './config/dump.js';
export {
  scheduledQueries,
  platformMatches,
  machineShard,
  compareVersions,
  type ScheduleEntry,
  type HostFacts,
} from './config/schedule.js';

// file_paths patterns (% and %%). No product code calls these yet: the publishers (file_events, yara_events) and
// the file table each match patterns with their own code; test/config covers this module's behaviour.
export {
  expandFilePathPattern,
  matchesFilePattern,
  isExcludedPath,
  resolveFilePattern,
  type FilePathPattern,
  type ResolveFilePatternOptions,
} from './file-paths.js';

// --config_check / --config_dump and config loading for quarryi and quarryd.
export { runConfigCheck, loadConfigForFlags, KNOWN_CONFIG_PLUGINS, type ConfigCheckResult, type LoadedConfig } from './cli-checks.js';
