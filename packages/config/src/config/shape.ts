import { ConfigError } from './config-error.js';
import type { JsonPath, JsonValue } from './json-positions.js';

export type JsonObject = { [key: string]: JsonValue };

/** Where a config value came from, so shape errors can name file:line:column and the key. */
export interface ShapeContext {
  file: string;
  locate(path: JsonPath): { line: number; column: number } | undefined;
  warn(message: string): void;
}

/** `schedule.my_query.interval`, `file_paths.etc[0]`, `packs["a b"]`. */
export function keyPath(path: JsonPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_*][A-Za-z0-9_.*-]*$/.test(part) && !part.includes('.')) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === '' ? 'the document root' : out;
}

export function fail(context: ShapeContext, path: JsonPath, message: string): never {
  const location = context.locate(path);
  throw new ConfigError(context.file, location?.line, location?.column, `${keyPath(path)}: ${message}`);
}

export function describeJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value === 'number' ? 'the number' : 'the boolean'} ${String(value)}`;
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(context: ShapeContext, value: JsonValue, path: JsonPath): JsonObject {
  if (!isObject(value)) fail(context, path, `must be an object, got ${describeJson(value)}`);
  return value;
}

export function expectArray(context: ShapeContext, value: JsonValue, path: JsonPath): JsonValue[] {
  if (!Array.isArray(value)) fail(context, path, `must be an array, got ${describeJson(value)}`);
  return value;
}

export function expectString(context: ShapeContext, value: JsonValue, path: JsonPath): string {
  if (typeof value !== 'string') fail(context, path, `must be a string, got ${describeJson(value)}`);
  return value;
}

/** An array of strings; empty strings are dropped (osquery skips them). */
export function expectStringArray(context: ShapeContext, value: JsonValue, path: JsonPath): string[] {
  return expectArray(context, value, path)
    .map((item, index) => expectString(context, item, [...path, index]))
    .filter((item) => item !== '');
}

/** A non-negative integer given as a number or a decimal string (osquery accepts both in query fields). */
export function expectInteger(context: ShapeContext, value: JsonValue, path: JsonPath): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < 0) fail(context, path, `must be a non-negative integer, got ${describeJson(value)}`);
  return number;
}

/** osquery's boolean reading for query fields: true/false, "true"/"t"/"false"/"f" (any case), numbers (non-zero = true). */
export function expectBoolean(context: ShapeContext, value: JsonValue, path: JsonPath): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (word === 'true' || word === 't' || word === '1') return true;
    if (word === 'false' || word === 'f' || word === '0' || word === '') return false;
  }
  return fail(context, path, `must be true or false, got ${describeJson(value)}`);
}

/** Warns about keys outside `known` (typos such as "intreval" would otherwise be silently ignored). */
export function warnUnknownKeys(context: ShapeContext, object: JsonObject, path: JsonPath, known: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      const location = context.locate([...path, key]);
      const where = location ? `${context.file}:${location.line}:${location.column}: ` : `${context.file}: `;
      context.warn(`${where}${keyPath([...path, key])}: unknown key ignored (known keys: ${known.join(', ')})`);
    }
  }
}
