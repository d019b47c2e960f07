import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { Brand } from '../invocation.js';
import type { FlagSource } from './definition.js';
import { FlagError } from './flag-error.js';
import type { Flags } from './flags.js';

export interface ParseOptions {
  /** `shell` applies osqueryi's defaults (disable_events=true before parsing, ...); `daemon` applies none. */
  mode: 'shell' | 'daemon';
  /** Directory relative flagfile paths are resolved against (default process.cwd()). */
  cwd?: string;
  /** The name the process runs under: `osquery` gives osquery's default pidfile and logger_path (invocation.ts). */
  brand?: Brand;
}

export interface ParseResult {
  /** Arguments that are not flags, in order (the shell uses the first as its SQL). */
  positional: string[];
  /** `--help`, `-help`, `--h` or `-h` was given. */
  help: boolean;
  /** `--version` was given. */
  version: boolean;
  /** Flagfiles read, in order. */
  flagfiles: string[];
}

interface Location {
  source: FlagSource;
  /** `file:line: ` prefix for errors from a flagfile, '' on the command line. */
  where: string;
}

const MAX_FLAGFILE_DEPTH = 8;

/**
 * Applies argv (and any --flagfile it names) to `flags`, gflags style:
 * `--name=value`, `--name value`, `-name`, `--name`/`--noname` for booleans, `--` ends flags.
 */
export function parseArguments(flags: Flags, argv: string[], options: ParseOptions): ParseResult {
  const result: ParseResult = { positional: [], help: false, version: false, flagfiles: [] };
  const cwd = options.cwd ?? process.cwd();
  if (options.mode === 'shell') flags.set('disable_events', true, 'mode');

  const readFlagfile = (path: string, where: string, depth: number): void => {
    const absolute = resolvePath(cwd, path);
    if (depth > MAX_FLAGFILE_DEPTH) throw new FlagError(`${where}Flagfile ${absolute} nests --flagfile more than ${MAX_FLAGFILE_DEPTH} levels deep (a loop?)`);
    let text: string;
    try {
      text = readFileSync(absolute, 'utf8');
    } catch (error) {
      throw new FlagError(`${where}Cannot read flagfile ${absolute}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Check --flagfile.`);
    }
    result.flagfiles.push(absolute);
    const lines = text.split(/\r?\n/);
    lines.forEach((rawLine, index) => {
      const line = rawLine.trim();
      if (line === '' || line.startsWith('#')) return;
      const location: Location = { source: 'flagfile', where: `${absolute}:${index + 1}: ` };
      if (!line.startsWith('-') || line === '-' || line === '--') {
        throw new FlagError(`${location.where}Expected one flag per line, like --name=value; got "${line}"`);
      }
      // One flag per line: "--name=value", "--name value" (Quarry also accepts the space form) or "--name".
      const body = line.replace(/^--?/, '');
      const equals = body.indexOf('=');
      const space = body.search(/\s/);
      let arg = line;
      if (space !== -1 && (equals === -1 || space < equals)) {
        arg = `--${body.slice(0, space)}=${body.slice(space).trim()}`;
      }
      const consumed = applyOne(arg, undefined, location, depth);
      if (consumed) throw new FlagError(`${location.where}Flag ${arg} needs a value: write --name=value`);
    });
  };

  /** Applies one flag argument. Returns true when it needs the following argument as its value. */
  const applyOne = (arg: string, next: string | undefined, location: Location, depth: number): boolean => {
    const body = arg.replace(/^--?/, '');
    const equals = body.indexOf('=');
    const rawName = equals === -1 ? body : body.slice(0, equals);
    const inlineValue = equals === -1 ? undefined : body.slice(equals + 1);
    if (rawName === '') throw new FlagError(`${location.where}Malformed flag "${arg}"`);
    if (location.source === 'cli' && ['help', 'h'].includes(rawName) && inlineValue === undefined) {
      result.help = true;
      return false;
    }
    if (rawName === 'version' && inlineValue === undefined) {
      result.version = true;
      return false;
    }
    let name = flags.resolve(rawName);
    let value: string | boolean | undefined = inlineValue;
    if (name === undefined && rawName.startsWith('no') && inlineValue === undefined) {
      const negated = flags.resolve(rawName.slice(2));
      if (negated !== undefined && flags.definition(negated).type === 'bool') {
        name = negated;
        value = false;
      }
    }
    if (name === undefined) throw new FlagError(`${location.where}${flags.unknownFlagMessage(rawName)}`);
    const definition = flags.definition(name);
    let usedNext = false;
    if (value === undefined) {
      if (definition.type === 'bool') value = true;
      else if (next === undefined) {
        throw new FlagError(`${location.where}Flag --${name} needs a value (${definition.type}): write --${name}=VALUE`);
      } else {
        value = next;
        usedNext = true;
      }
    }
    try {
      flags.set(name, value, location.source);
    } catch (error) {
      throw new FlagError(`${location.where}${(error as Error).message}`);
    }
    if (name === 'flagfile') readFlagfile(String(value), location.where, depth + 1);
    return usedNext;
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      result.positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      result.positional.push(arg);
      continue;
    }
    if (applyOne(arg, argv[i + 1], { source: 'cli', where: '' }, 0)) i++;
  }

  if (options.mode === 'shell') applyShellModeAfterParsing(flags);
  return result;
}

/**
 * osqueryi's post-parse defaults: logging and the watchdog are always off in the shell (locked: the config cannot
 * turn them back on); hash_delay becomes 0 and logger_min_status WARNING (1) when left at their defaults.
 */
function applyShellModeAfterParsing(flags: Flags): void {
  for (const name of ['disable_logging', 'disable_watchdog']) {
    flags.set(name, true, 'mode');
    flags.lock(name);
  }
  if (flags.isDefault('hash_delay')) flags.set('hash_delay', 0, 'mode');
  if (flags.isDefault('logger_min_status')) flags.set('logger_min_status', 1, 'mode');
}
