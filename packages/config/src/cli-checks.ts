import { ConfigError } from './config/config-error.js';
import { configDump } from './config/dump.js';
import { loadConfig } from './config/load.js';
import { applyConfigOptions } from './config/options.js';
import type { QuarryConfig } from './config/types.js';
import type { Flags } from './flags/flags.js';

export interface ConfigCheckResult {
  exitCode: number;
  /** What to print. */
  output: string;
  /** Where osquery prints it: the dump goes to stdout, errors to stderr. */
  stream: 'stdout' | 'stderr';
  /** Non-fatal warnings (unknown options, skipped queries...), for the caller to log. */
  warnings: string[];
}

/** Config plugins Quarry has (--config_plugin accepts any name, as osquery; others fail when the config is read). */
export const KNOWN_CONFIG_PLUGINS = ['filesystem', 'tls'];

/** sysexits.h EX_CONFIG: osquery's exit code for a config plugin that does not exist. */
export const EX_CONFIG = 78;

/**
 * --config_check and --config_dump, shared by quarryi and quarryd. Call it when either flag is set, then exit with
 * `exitCode`. --config_check prints nothing on success; failure prints `Error reading config: <reason>` and exits 1.
 * --config_dump prints `{"<source>": <content>}` per source and exits 0.
 */
export function runConfigCheck(flags: Flags): ConfigCheckResult {
  const plugin = flags.string('config_plugin');
  if (!KNOWN_CONFIG_PLUGINS.includes(plugin)) {
    return { exitCode: EX_CONFIG, output: `Error reading config: Config plugin "${plugin}" not found (known: ${KNOWN_CONFIG_PLUGINS.join(', ')})\n`, stream: 'stderr', warnings: [] };
  }
  const { config, error, warnings } = loadConfigForFlags(flags);
  if (!config) return { exitCode: 1, output: `Error reading config: ${error?.message ?? 'unknown reason'}\n`, stream: 'stderr', warnings: [] };
  if (flags.bool('config_dump')) return { exitCode: 0, output: configDump(config), stream: 'stdout', warnings };
  return { exitCode: 0, output: '', stream: 'stdout', warnings };
}

export interface LoadedConfig {
  /** The config, or undefined when it could not be read. */
  config: QuarryConfig | undefined;
  /** Why it could not be read. */
  error: ConfigError | undefined;
  /** True when config_path was left at its default and that file does not exist (osqueryi then runs without one). */
  missingDefault: boolean;
  /** Config warnings plus the warnings of applying `options` to the flags. */
  warnings: string[];
}

/** Loads --config_path and applies its `options` to `flags` (config overrides CLI, as osquery). Never throws. */
export function loadConfigForFlags(flags: Flags): LoadedConfig {
  try {
    const config = loadConfig(flags.string('config_path'));
    return { config, error: undefined, missingDefault: false, warnings: [...config.warnings, ...applyConfigOptions(config, flags)] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const missingDefault = flags.isDefault('config_path') && error.reason.startsWith('config file does not exist');
    return { config: undefined, error, missingDefault, warnings: [] };
  }
}
