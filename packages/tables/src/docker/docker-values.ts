/** Reading fields of Docker Engine API answers the way osquery's docker tables do. */
import type { QueryContext, SqlValue } from '@quarry/sql';
import { DockerApi, dockerSocketOf, type DockerObject, type DockerTableDeps } from './docker-api.js';

export function apiFor(deps: DockerTableDeps, context: QueryContext, timeoutMs?: number): DockerApi {
  return new DockerApi(dockerSocketOf(deps.flags), (message) => context.session.warn(message), timeoutMs);
}

export function isObject(value: unknown): value is DockerObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objects(value: unknown): DockerObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** A nested field by dotted path (`State.Pid`); undefined when any step is missing. */
export function field(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const step of path.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[step];
  }
  return current;
}

/** A text field; '' when missing or null (osquery's default). Numbers and booleans as their text. */
export function text(object: unknown, path: string): string {
  const value = field(object, path);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** A numeric field; 0 when missing (osquery's default). */
export function num(object: unknown, path: string): number {
  const value = field(object, path);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return 0;
}

/** A boolean field as 1/0. */
export function flag(object: unknown, path: string): number {
  return field(object, path) === true ? 1 : 0;
}

/** A list of strings joined with `separator` ('' for null). */
export function joined(object: unknown, path: string, separator: string): string {
  const value = field(object, path);
  return Array.isArray(value) ? value.map((item) => String(item)).join(separator) : '';
}

/** Docker's `sha256:` prefix removed, as osquery shows ids. */
export function withoutSha(value: string): string {
  return value.startsWith('sha256:') ? value.slice(7) : value;
}

/** RFC 3339 text (`2026-11-28T02:48:49.123456789Z`) to Unix seconds; 0 when empty or unparsable. */
export function unixSeconds(value: string): number {
  const millis = Date.parse(value);
  return Number.isFinite(millis) && millis > 0 ? Math.floor(millis / 1000) : 0;
}

/** RFC 3339 text to nanoseconds since the epoch (BigInt); 0n when empty or unparsable. */
export function unixNanos(value: string): bigint {
  const seconds = unixSeconds(value);
  if (seconds === 0) return 0n;
  const fraction = /\.(\d+)/.exec(value)?.[1] ?? '';
  return BigInt(seconds) * 1_000_000_000n + BigInt((fraction + '000000000').slice(0, 9));
}

/**
 * osquery's id/name constraint handling: '=' values that look like (a prefix of) a Docker id, at most 64 hex
 * digits; other values cannot name a Docker object by id and are left to SQLite's own filter.
 */
export function idValues(context: QueryContext, column: string): string[] {
  return context
    .equals(column)
    .filter((value): value is string => typeof value === 'string' && /^[0-9a-fA-F]{1,64}$/.test(value))
    .map((value) => value.toLowerCase());
}

/** `?[all=1&]filters={"<key>":{"v":true,...}}` for the values, or only `?all=1`/'' without values. */
export function listQuery(key: string, values: readonly string[], all: boolean): string {
  const parts: string[] = all ? ['all=1'] : [];
  if (values.length > 0) {
    const filter = { [key]: Object.fromEntries(values.map((value) => [value, true])) };
    parts.push(`filters=${encodeURIComponent(JSON.stringify(filter))}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/**
 * The id as osquery shows it: `sha256:` removed, and replaced by the constraint value that is its prefix (so
 * `where id = '<short id>'` matches, as Docker's own prefix lookup does).
 */
export function shownId(id: string, prefixes: readonly string[]): string {
  const full = withoutSha(id);
  return prefixes.find((prefix) => full.startsWith(prefix)) ?? full;
}

/** A path segment for a container id from a constraint (already checked to be hex). */
export function containerPath(id: string, rest: string): string {
  return `/containers/${encodeURIComponent(id)}${rest}`;
}

export type Cell = SqlValue;
