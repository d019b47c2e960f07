/**
 * Flags and config for a shell process: osqueryi's parsing with mode 'shell', then osquery.conf from --config_path
 * with its `options` applied. The interactive shell's engine worker parses the same argv but receives the config
 * the main thread loaded (it does not read the config and packs a second time).
 */
import { existsSync } from 'node:fs';
import type { Flags } from '@quarry/config';
import type { ShellConfigView } from './shell-agent-state.js';

export interface PreparedFlags {
  readonly flags: Flags;
  readonly positional: string[];
  readonly help: boolean;
  readonly version: boolean;
  readonly flagfiles: string[];
  /**
   * osqueryi's one-shot mode: a positional argument, non-tty stdin, -A, -L, --pack, --profile, --query or --query_file.
   * Events are forced off in it, except for SQL on stdin with an explicit --disable_events=false.
   */
  readonly oneShot: boolean;
  /** The config state: undefined when no config was read; `.config` holds the loaded osquery.conf. */
  readonly configView: ShellConfigView | undefined;
  /** Problems worth a WARNING line (a default config that failed to load, config warnings). */
  readonly warnings: string[];
}

export interface PrepareOptions {
  /** The interactive shell's engine worker: never one-shot. */
  readonly interactive?: boolean;
  /** The config the main thread already loaded (plain data from workerData): applied, not read again. */
  readonly loaded?: { readonly configView: ShellConfigView | undefined };
}

/** A problem that ends the shell with `Error: <message>` and exit code 1. */
export class SetupError extends Error {}

/**
 * Parses argv. In one-shot mode events do not start (osquery forces disable_events after parsing), unless the SQL
 * comes on stdin and --disable_events=false was given (a scripted session, which publishes like the REPL). The config is
 * loaded when --config_path names an existing file; an explicit --config_path that is missing or malformed is an
 * error, a broken default one only a warning (osqueryi carries on without a config).
 */
export async function prepareFlags(argv: string[], options: PrepareOptions = {}): Promise<PreparedFlags> {
  // Only the flags part of @quarry/config: a one-shot run without a config file loads nothing more.
  const { Flags } = await import('@quarry/config/flags/flags');
  let parsed: ReturnType<typeof Flags.parse>;
  try {
    const { invocationOf } = await import('@quarry/config/invocation');
    parsed = Flags.parse(argv, { mode: 'shell', brand: invocationOf().brand });
  } catch (error) {
    throw new SetupError((error as Error).message);
  }
  const { flags } = parsed;
  const warnings: string[] = [];
  let configView: ShellConfigView | undefined;
  if (options.loaded) {
    configView = options.loaded.configView;
    if (configView?.config) {
      const { applyConfigOptions } = await import('@quarry/config/config/options');
      applyConfigOptions(configView.config, flags);
    }
  } else {
    const configPath = flags.string('config_path');
    const explicit = !flags.isDefault('config_path');
    const checking = flags.bool('config_check') || flags.bool('config_dump');
    if (!checking && !parsed.help && !parsed.version && (explicit || existsSync(configPath))) {
      const { loadConfigForFlags } = await import('@quarry/config/cli-checks');
      const loaded = loadConfigForFlags(flags);
      if (loaded.config) {
        configView = { valid: true, hash: loaded.config.hash, config: loaded.config };
        warnings.push(...loaded.warnings);
      } else if (loaded.error) {
        // As osqueryi, a --config_path that is a directory or cannot be read is a warning and the shell goes on.
        const unreadable = /\(it is a directory\)|EACCES|EISDIR/.test(loaded.error.message);
        if (explicit && !unreadable) throw new SetupError(`Error reading config: ${loaded.error.message}`, { cause: 'config' });
        warnings.push(`Error reading config: ${loaded.error.message}`);
        configView = { valid: false, hash: '' };
      }
    }
  }
  // The main thread warns once; an engine worker (options.loaded) gets the same flags and stays quiet.
  if (!options.loaded) warnings.push(...flags.noEffectWarnings());
  const oneShotArgument =
    parsed.positional.length > 0 ||
    flags.bool('L') ||
    flags.string('A') !== '' ||
    flags.string('pack') !== '' ||
    flags.number('profile') > 0 ||
    flags.string('query') !== '' ||
    flags.string('query_file') !== '';
  const oneShot = options.interactive !== true && (oneShotArgument || !process.stdin.isTTY);
  // SQL piped on stdin is a scripted session: an explicit --disable_events=false (command line, flagfile or config
  // options) starts the publishers for it, as in the interactive shell. osqueryi forces events off for any one-shot
  // run; Quarry keeps that for a query given as an argument (docs/differences.md).
  const stdinSession = oneShot && !oneShotArgument && !flags.bool('disable_events');
  if (oneShot) {
    if (!stdinSession) flags.set('disable_events', true, 'mode');
    flags.set('disable_caching', true, 'mode');
  }
  return {
    flags,
    positional: parsed.positional,
    help: parsed.help,
    version: parsed.version,
    flagfiles: parsed.flagfiles,
    oneShot,
    configView,
    warnings,
  };
}
