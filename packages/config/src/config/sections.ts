import { basename, extname, isAbsolute, join } from 'node:path';
import type { JsonPath, JsonValue } from './json-positions.js';
import {
  expectArray,
  expectBoolean,
  expectInteger,
  expectObject,
  expectString,
  expectStringArray,
  fail,
  isObject,
  keyPath,
  warnUnknownKeys,
  type JsonObject,
  type ShapeContext,
} from './shape.js';
import type { Pack, QuarryConfig, ScheduledQuery } from './types.js';

/** What applying one source needs besides the JSON: a way to read pack files named by path. */
export interface SourceContext extends ShapeContext {
  /** Directory of config_path: relative pack paths and YARA rule paths are resolved against it. */
  configDir: string;
  /** Reads and parses a pack file. */
  readPackFile(file: string): { value: JsonValue; context: ShapeContext };
  /** Files matching a glob (`*` or `%` wildcards in the last component), sorted. */
  globFiles(pattern: string): string[];
}

const TOP_LEVEL_KEYS = [
  'options', 'schedule', 'packs', 'decorators', 'file_paths', 'file_paths_query', 'file_accesses', 'exclude_paths',
  'yara', 'prometheus_targets', 'auto_table_construction', 'events', 'views',
] as const;
/** osquery keys Quarry accepts but does not use. */
const IGNORED_OSQUERY_KEYS = ['feature_vectors', 'logger', 'kafka_topics'];

const QUERY_KEYS = ['query', 'interval', 'snapshot', 'removed', 'platform', 'version', 'shard', 'denylist', 'blacklist',
  'startup_priority', 'description', 'value'] as const;
const PACK_KEYS = ['platform', 'version', 'shard', 'oncall', 'discovery', 'queries'] as const;
const MAX_INTERVAL = 604800;

/** Sets an own property even for the key "__proto__" (plain assignment would change the prototype instead). */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The own value of a key, never an inherited one (so "__proto__" or "constructor" keys are safe). */
function getOwn<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** Applies one parsed config source on top of `config` (later sources override or extend earlier ones). */
export function applySource(config: QuarryConfig, root: JsonValue, context: SourceContext): void {
  if (!isObject(root)) fail(context, [], 'Error parsing the config JSON: the root must be an object ({...})');
  for (const [key, value] of Object.entries(root)) {
    const path = [key];
    if (IGNORED_OSQUERY_KEYS.includes(key)) {
      context.warn(`${context.file}: config key "${key}" is not used by Quarry and was ignored`);
      continue;
    }
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) {
      context.warn(`${context.file}: unknown config key "${key}" ignored (known keys: ${TOP_LEVEL_KEYS.join(', ')})`);
      continue;
    }
    switch (key as (typeof TOP_LEVEL_KEYS)[number]) {
      case 'options':
        for (const [name, option] of Object.entries(expectObject(context, value, path))) setOwn(config.options, name, option);
        break;
      case 'schedule':
        for (const [name, query] of Object.entries(expectObject(context, value, path))) {
          const parsed = parseQuery(context, name, query, [...path, name]);
          if (parsed) setOwn(config.schedule, name, parsed);
        }
        break;
      case 'packs':
        applyPacks(config, context, expectObject(context, value, path), path);
        break;
      case 'decorators':
        applyDecorators(config, context, expectObject(context, value, path), path);
        break;
      case 'file_paths':
      case 'file_paths_query':
      case 'exclude_paths':
        mergeCategories(config[key as 'file_paths' | 'file_paths_query' | 'exclude_paths'], context, value, path);
        break;
      case 'file_accesses':
        for (const category of expectStringArray(context, value, path)) {
          if (!config.file_accesses.includes(category)) config.file_accesses.push(category);
        }
        break;
      case 'yara':
        applyYara(config, context, expectObject(context, value, path), path);
        break;
      case 'events': {
        const events = expectObject(context, value, path);
        warnUnknownKeys(context, events, path, ['enable_subscribers', 'disable_subscribers']);
        for (const list of ['enable_subscribers', 'disable_subscribers'] as const) {
          if (events[list] !== undefined) config.events[list].push(...expectStringArray(context, events[list], [...path, list]));
        }
        break;
      }
      case 'prometheus_targets': {
        const targets = expectObject(context, value, path);
        warnUnknownKeys(context, targets, path, ['urls', 'timeout']);
        if (targets.urls !== undefined) config.prometheus_targets.urls = expectStringArray(context, targets.urls, [...path, 'urls']);
        if (targets.timeout !== undefined) config.prometheus_targets.timeout = expectInteger(context, targets.timeout, [...path, 'timeout']);
        break;
      }
      case 'auto_table_construction':
        applyAutoTables(config, context, expectObject(context, value, path), path);
        break;
      case 'views':
        for (const [name, sql] of Object.entries(expectObject(context, value, path))) {
          setOwn(config.views, name, expectString(context, sql, [...path, name]));
        }
        break;
    }
  }
}

/** Parses one scheduled/pack query. Returns undefined (with a warning) for queries osquery skips. */
function parseQuery(context: SourceContext | ShapeContext, name: string, value: JsonValue, path: JsonPath): ScheduledQuery | undefined {
  const object = expectObject(context, value, path);
  warnUnknownKeys(context, object, path, QUERY_KEYS);
  if (object.query === undefined) fail(context, path, 'missing "query" (the SQL to run)');
  const query: ScheduledQuery = {
    query: expectString(context, object.query, [...path, 'query']),
    snapshot: object.snapshot === undefined ? false : expectBoolean(context, object.snapshot, [...path, 'snapshot']),
    removed: object.removed === undefined ? true : expectBoolean(context, object.removed, [...path, 'removed']),
    denylist: true,
  };
  if (query.query.trim() === '') fail(context, [...path, 'query'], 'must not be empty');
  for (const flag of ['denylist', 'blacklist'] as const) {
    if (object[flag] !== undefined) query.denylist = expectBoolean(context, object[flag], [...path, flag]);
  }
  if (object.interval !== undefined) query.interval = expectInteger(context, object.interval, [...path, 'interval']);
  if (object.platform !== undefined && object.platform !== null) query.platform = expectString(context, object.platform, [...path, 'platform']);
  if (object.version !== undefined && object.version !== null) query.version = expectString(context, object.version, [...path, 'version']);
  if (object.shard !== undefined) query.shard = expectShard(context, object.shard, [...path, 'shard']);
  if (object.startup_priority !== undefined) {
    query.startup_priority = expectInteger(context, object.startup_priority, [...path, 'startup_priority']);
  }
  if (typeof object.description === 'string') query.description = object.description;

  if (query.interval !== undefined && (query.interval < 1 || query.interval > MAX_INTERVAL)) {
    context.warn(`${context.file}: Query has invalid interval: ${name}: ${query.interval} (must be 1..${MAX_INTERVAL} seconds); skipped`);
    return undefined;
  }
  if (/^(query\.|cache\.|config_views\.)/.test(name) || /(epoch|counter)$/.test(name)) {
    context.warn(`${context.file}: ${keyPath(path)}: query names may not start with "query.", "cache." or "config_views." nor end with "epoch" or "counter"; skipped`);
    return undefined;
  }
  return query;
}

function expectShard(context: ShapeContext, value: JsonValue, path: JsonPath): number {
  const shard = expectInteger(context, value, path);
  if (shard > 100) fail(context, path, `must be a percentage between 1 and 100, got ${shard}`);
  return shard;
}

function applyPacks(config: QuarryConfig, context: SourceContext, packs: JsonObject, path: JsonPath): void {
  for (const [name, value] of Object.entries(packs)) {
    const packPath = [...path, name];
    if (typeof value === 'string') {
      if (name === '*') {
        // "*": "/dir/%.conf" → one pack per matching file, named after the file stem.
        for (const file of context.globFiles(resolvePackPath(context, value))) {
          const stem = basename(file, extname(file));
          applyPackFile(config, context, stem, file, () => context.readPackFile(file));
        }
        continue;
      }
      const file = resolvePackPath(context, value);
      applyPackFile(config, context, name, file, () => readPack(context, file, packPath));
      continue;
    }
    setOwn(config.packs, name, parsePack(name, context.file, value, context, packPath));
  }
}

/**
 * One pack from its own file. A file that cannot be read or parsed (missing, unreadable, bad JSON, a pack of the
 * wrong shape) is skipped with a warning naming the pack and the file, as osquery does; the rest of the config
 * applies. Other errors are bugs and propagate.
 */
function applyPackFile(config: QuarryConfig, context: SourceContext, name: string, file: string, read: () => { value: JsonValue; context: ShapeContext }): void {
  try {
    const { value: packValue, context: packContext } = read();
    setOwn(config.packs, name, parsePack(name, file, packValue, packContext, []));
  } catch (error) {
    if ((error as Error).name !== 'ConfigError') throw error;
    const reason = (error as Error).message;
    config.skippedPacks.push({ name, file, reason });
    context.warn(`Pack ${name} skipped: ${reason}; the rest of the config applies`);
  }
}

function readPack(context: SourceContext, file: string, path: JsonPath): { value: JsonValue; context: ShapeContext } {
  try {
    return context.readPackFile(file);
  } catch (error) {
    if ((error as Error).name === 'ConfigError') throw error;
    return fail(context, path, `cannot read pack file ${file}: ${(error as Error).message}`);
  }
}

function resolvePackPath(context: SourceContext, value: string): string {
  return isAbsolute(value) ? value : join(context.configDir, value);
}

function parsePack(name: string, source: string, value: JsonValue, context: ShapeContext, path: JsonPath): Pack {
  const object = expectObject(context, value, path);
  warnUnknownKeys(context, object, path, PACK_KEYS);
  const pack: Pack = { name, source, discovery: [], queries: {} };
  if (typeof object.platform === 'string') pack.platform = object.platform;
  if (typeof object.version === 'string') pack.version = object.version;
  if (typeof object.oncall === 'string') pack.oncall = object.oncall;
  if (object.shard !== undefined) pack.shard = expectShard(context, object.shard, [...path, 'shard']);
  if (object.discovery !== undefined) pack.discovery = expectStringArray(context, object.discovery, [...path, 'discovery']);
  if (object.queries !== undefined) {
    for (const [queryName, query] of Object.entries(expectObject(context, object.queries, [...path, 'queries']))) {
      const parsed = parseQuery(context, queryName, query, [...path, 'queries', queryName]);
      if (parsed) setOwn(pack.queries, queryName, parsed);
    }
  }
  return pack;
}

function applyDecorators(config: QuarryConfig, context: SourceContext, decorators: JsonObject, path: JsonPath): void {
  warnUnknownKeys(context, decorators, path, ['load', 'always', 'interval']);
  for (const kind of ['load', 'always'] as const) {
    if (decorators[kind] !== undefined) config.decorators[kind].push(...expectStringArray(context, decorators[kind], [...path, kind]));
  }
  if (decorators.interval === undefined) return;
  for (const [rate, queries] of Object.entries(expectObject(context, decorators.interval, [...path, 'interval']))) {
    const list = expectStringArray(context, queries, [...path, 'interval', rate]);
    const seconds = /^\d+$/.test(rate) ? Number(rate) : NaN;
    if (!(seconds > 0 && seconds % 60 === 0)) {
      context.warn(`${context.file}: Invalid decorator interval rate ${rate} in config source: ${context.file} (must be a multiple of 60 seconds); skipped`);
      continue;
    }
    (config.decorators.interval[String(seconds)] ??= []).push(...list);
  }
}

function mergeCategories(target: Record<string, string[]>, context: SourceContext, value: JsonValue, path: JsonPath): void {
  for (const [category, patterns] of Object.entries(expectObject(context, value, path))) {
    let list = getOwn(target, category);
    if (list === undefined) setOwn(target, category, (list = []));
    for (const pattern of expectStringArray(context, patterns, [...path, category])) {
      if (!list.includes(pattern)) list.push(pattern);
    }
  }
}

function applyYara(config: QuarryConfig, context: SourceContext, yara: JsonObject, path: JsonPath): void {
  warnUnknownKeys(context, yara, path, ['signatures', 'file_paths', 'signature_urls']);
  if (yara.signatures !== undefined) {
    for (const [group, files] of Object.entries(expectObject(context, yara.signatures, [...path, 'signatures']))) {
      setOwn(config.yara.signatures, group, expectStringArray(context, files, [...path, 'signatures', group]).map((file) =>
        isAbsolute(file) ? file : join(context.configDir, 'yara', file),
      ));
    }
  }
  if (yara.file_paths !== undefined) {
    for (const [category, groups] of Object.entries(expectObject(context, yara.file_paths, [...path, 'file_paths']))) {
      setOwn(config.yara.file_paths, category, expectStringArray(context, groups, [...path, 'file_paths', category]));
    }
  }
  if (yara.signature_urls !== undefined) {
    config.yara.signature_urls.push(...expectStringArray(context, yara.signature_urls, [...path, 'signature_urls']));
  }
}

function applyAutoTables(config: QuarryConfig, context: SourceContext, tables: JsonObject, path: JsonPath): void {
  for (const [name, value] of Object.entries(tables)) {
    const tablePath = [...path, name];
    const table = expectObject(context, value, tablePath);
    warnUnknownKeys(context, table, tablePath, ['query', 'path', 'columns', 'platform']);
    if (typeof table.query !== 'string' || typeof table.path !== 'string' || table.query === '' || table.path === '') {
      context.warn(`${context.file}: ATC Table: Skipping ${name} because it is misconfigured (missing query or path)`);
      continue;
    }
    const columns = table.columns === undefined ? [] : expectArray(context, table.columns, [...tablePath, 'columns'])
      .map((column, index) => expectString(context, column, [...tablePath, 'columns', index]));
    if (columns.includes('path')) {
      context.warn(`${context.file}: ATC Table: ${name}: "path" is a reserved column name; no implicit path column is added`);
    }
    setOwn(config.auto_table_construction, name, {
      query: table.query,
      path: table.path,
      columns,
      ...(typeof table.platform === 'string' ? { platform: table.platform } : {}),
    });
  }
}
