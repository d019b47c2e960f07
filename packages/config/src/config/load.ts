import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { JsonSyntaxError, parseJsonWithPositions, type JsonPath, type JsonValue } from './json-positions.js';
import { preprocessConfigText } from './preprocess.js';
import { applySource, type SourceContext } from './sections.js';
import type { ShapeContext } from './shape.js';
import { emptyConfig, type QuarryConfig } from './types.js';

/** osquery's limits (osquery/config/config.cpp). */
export const CONFIG_MAX_BYTES = 4 * 1024 * 1024;
export const CONFIG_MAX_DEPTH = 32;

export interface LoadConfigOptions {
  /** Size limit per source in bytes (default 4 MiB, osquery's). */
  maxBytes?: number;
  /** Called for each warning as it happens (they are also collected in config.warnings). */
  onWarning?: (message: string) => void;
}

const sha1 = (text: string | Buffer) => createHash('sha1').update(text).digest('hex');

/**
 * Reads a config the way osquery's filesystem plugin does: every `<configPath>.d/*.conf` in lexical order, then
 * configPath itself; each is a source applied over the previous ones. Throws ConfigError naming the file (and
 * line:column for JSON and shape errors).
 */
export function loadConfig(configPath: string, options: LoadConfigOptions = {}): QuarryConfig {
  const path = resolve(configPath);
  const main = statOrThrow(path);
  // /dev/null (what osquery's SDKs pass when they spawn a daemon) and other character devices or FIFOs are read
  // like files: osquery reads them as an (empty) config.
  if (!main.isFile() && !main.isCharacterDevice() && !main.isFIFO()) {
    throw new ConfigError(path, undefined, undefined, `config file does not exist: ${path} (it is ${main.isDirectory() ? 'a directory' : 'not a regular file'}); check --config_path`);
  }
  const files = [...listConfD(`${path}.d`), path];
  const sources = files.map((file) => ({ path: file, raw: readConfigFile(file, options.maxBytes ?? CONFIG_MAX_BYTES) }));
  return applyConfigSources(sources, { ...options, configDir: dirname(path) });
}

/**
 * Applies already-read sources (e.g. from a remote config) in order. `configDir` resolves relative pack and YARA
 * paths. Throws ConfigError.
 */
export function applyConfigSources(
  sources: { path: string; raw: string }[],
  options: LoadConfigOptions & { configDir: string },
): QuarryConfig {
  const config = emptyConfig();
  const warn = (message: string) => {
    config.warnings.push(message);
    options.onWarning?.(message);
  };
  for (const source of sources) {
    const maxBytes = options.maxBytes ?? CONFIG_MAX_BYTES;
    if (Buffer.byteLength(source.raw) > maxBytes) throw tooLarge(source.path, maxBytes);
    const { value, context, text } = parseConfigText(source.path, source.raw, warn);
    const sourceContext: SourceContext = {
      ...context,
      configDir: options.configDir,
      readPackFile: (file) => {
        const raw = readConfigFile(file, maxBytes, 'pack');
        const parsed = parseConfigText(file, raw, warn);
        config.packSources.push({ path: file, hash: sha1(raw), content: parsed.text });
        return { value: parsed.value, context: parsed.context };
      },
      globFiles: (pattern) => globLastComponent(pattern),
    };
    applySource(config, value, sourceContext);
    config.sources.push({ path: source.path, hash: sha1(source.raw), content: text });
  }
  const ordered = [...config.sources].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  config.hash = sha1(ordered.map((source) => source.hash).join(''));
  return config;
}

/** Cleans and parses one file's text; errors carry the original file:line:column. */
export function parseConfigText(
  file: string,
  raw: string,
  warn: (message: string) => void = () => {},
): { value: JsonValue; context: ShapeContext; text: string } {
  // A UTF-8 BOM becomes a space: JSON whitespace, and positions stay put. An empty file (or /dev/null) is an empty
  // config, as in osquery.
  const cleaned = preprocessConfigText(raw.trim() === '' ? '{}' : raw.replace(/^\uFEFF/, ' '));
  let parsed;
  try {
    parsed = parseJsonWithPositions(cleaned.text, CONFIG_MAX_DEPTH, 'Error validating the config JSON: Configuration has too many nesting levels!');
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    const { line, column } = cleaned.locate(error.offset);
    const reason = error.message.startsWith('Error ') ? error.message : `Error parsing the config JSON: ${error.message}`;
    throw new ConfigError(file, line, column, reason);
  }
  const context: ShapeContext = {
    file,
    locate: (path: JsonPath) => {
      const offset = parsed.offsetOf(path);
      return offset === undefined ? undefined : cleaned.locate(offset);
    },
    warn,
  };
  return { value: parsed.value, context, text: cleaned.compact };
}

/** 'pack': a file a config's `packs` names (its messages point at the pack entry, not at --config_path). */
type FileKind = 'config' | 'pack';

function statOrThrow(path: string, kind: FileKind = 'config') {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const hint = kind === 'config' ? 'check --config_path' : 'check the path in the config\'s "packs"';
      throw new ConfigError(path, undefined, undefined, `${kind} file does not exist: ${path}; ${hint}`);
    }
    throw new ConfigError(path, undefined, undefined, `cannot read ${kind} file ${path}: ${code ?? (error as Error).message}`);
  }
}

function tooLarge(file: string, maxBytes: number): ConfigError {
  return new ConfigError(file, undefined, undefined, `Error parsing the config JSON: the config size exceeds the limit of ${maxBytes} bytes`);
}

function readConfigFile(file: string, maxBytes: number, kind: FileKind = 'config'): string {
  const stats = statOrThrow(file, kind);
  if (!stats.isFile() && !stats.isCharacterDevice() && !stats.isFIFO()) throw new ConfigError(file, undefined, undefined, `${kind} file does not exist: ${file} (not a regular file)`);
  if (stats.size > maxBytes) throw tooLarge(file, maxBytes);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EACCES' ? ' (permission denied: run as a user who can read it)' : '';
    throw new ConfigError(file, undefined, undefined, `cannot read ${kind} file ${file}: ${code ?? (error as Error).message}${hint}`);
  }
}

/** `<config_path>.d/*.conf`, regular files only, sorted lexically (by UTF-16 code units, like osquery's byte sort for ASCII). */
function listConfD(directory: string): string[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.conf'))
    .sort()
    .map((name) => join(directory, name))
    .filter((file) => {
      try {
        return statSync(file).isFile();
      } catch {
        return false;
      }
    });
}

/** Expands `*`/`%` wildcards in the last path component (the packs `"*"` key), sorted. */
function globLastComponent(pattern: string): string[] {
  const directory = dirname(pattern);
  const namePattern = basename(pattern).replaceAll('%', '*');
  const regex = new RegExp(`^${namePattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  return names.filter((name) => regex.test(name)).sort().map((name) => join(directory, name));
}
