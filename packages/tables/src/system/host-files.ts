/**
 * Small synchronous readers for kernel, sysfs and configuration files, shared by every host table. Every reader
 * returns `undefined` (or an empty list) when the source is missing or unreadable: a table whose source is absent
 * returns no rows rather than failing.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readSync, readdirSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { SqlValue } from '@quarry/sql';

/** The whole file as UTF-8 text, or undefined when it cannot be read. */
export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The whole file as bytes, or undefined when it cannot be read. */
export function readBytes(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** A symbolic link's target, or undefined when it cannot be read. */
export function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** Directory entry names, sorted; an empty list when the directory cannot be read. */
export function listDirectory(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch {
    return [];
  }
}

/** The file's lines (without '\n' or '\r\n' line ends); empty when missing. */
export function readLines(path: string): string[] {
  const text = readText(path);
  if (text === undefined) return [];
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** A sysfs/procfs attribute, trimmed; undefined when missing or unreadable. */
export function readAttribute(dir: string, name: string): string | undefined {
  return readText(join(dir, name))?.trim();
}

/** lstat, or undefined when the path cannot be examined. */
export function lstatPath(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** stat (following links), or undefined when the path cannot be examined. */
export function statPath(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

export function isDirectory(path: string): boolean {
  return statPath(path)?.isDirectory() ?? false;
}

export function isRegularFile(path: string): boolean {
  return statPath(path)?.isFile() ?? false;
}

/** Text before a '#' comment, trimmed. */
export function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return (hash >= 0 ? line.slice(0, hash) : line).trim();
}

/** Splits on runs of spaces and tabs, dropping empty fields. */
export function splitFields(text: string): string[] {
  return text.split(/[ \t]+/).filter((field) => field.length > 0);
}

/** A services(5)/protocols(5) line: its whitespace fields before '#', and the comment after it. */
export function fieldsAndComment(line: string): { fields: string[]; comment: string } {
  const hash = line.indexOf('#');
  const body = hash >= 0 ? line.slice(0, hash) : line;
  return { fields: splitFields(body.trim()), comment: hash >= 0 ? line.slice(hash + 1).trim() : '' };
}

/** The lines of a file's bytes (UTF-8), without line ends ('\n' or '\r\n'); empty for undefined. */
export function textLines(data: Buffer | undefined): string[] {
  if (data === undefined) return [];
  const lines = data.toString('utf8').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** Non-empty lines of a text, without their line ends. */
export function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 0);
}

/**
 * "Key: value" lines (as /proc/<pid>/status, /proc/meminfo, /proc/cpuinfo blocks) into a map; the value is trimmed.
 * The first occurrence of a key wins.
 */
export function parseColonPairs(text: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    if (!pairs.has(key)) pairs.set(key, line.slice(colon + 1).trim());
  }
  return pairs;
}

/** A decimal integer string as a number, or a bigint when it exceeds 2^53; undefined when not an integer. */
export function integerValue(text: string | undefined): number | bigint | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) return undefined;
  const asNumber = Number(trimmed);
  return Number.isSafeInteger(asNumber) ? asNumber : BigInt(trimmed);
}

/** A non-negative bigint as a number when it is safe, else kept as bigint (SQLite INTEGER is 64-bit). */
export function fromBigInt(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}

/** Decimal strings of every '=' constraint value that is an integer (pids, uids), deduplicated, in order. */
export function integerEqualities(values: readonly SqlValue[]): number[] {
  const out: number[] = [];
  for (const value of values) {
    const n = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value.trim()) : value;
    if (typeof n === 'number' && Number.isSafeInteger(n) && !out.includes(n)) out.push(n);
  }
  return out;
}

/** The inode in a namespace or socket link such as "net:[4026531840]" or "socket:[1234]". */
export function bracketedInode(link: string | undefined, prefix: string): string | undefined {
  if (link === undefined || !link.startsWith(`${prefix}:[`) || !link.endsWith(']')) return undefined;
  const inode = link.slice(prefix.length + 2, -1);
  return /^\d+$/.test(inode) ? inode : undefined;
}

/** Decode the octal escapes (\040 for space, \011, \012, \134) the kernel uses in /proc/mounts and similar files. */
export function decodeOctalEscapes(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The kernel's USER_HZ: /proc tick counts are in this unit on every mainstream Linux architecture. */
export const USER_HZ = 100;

/** A descriptor opened for reading with the fstat of that same descriptor. */
export interface OpenedFile {
  readonly fd: number;
  readonly stats: Stats;
}

/**
 * Opens a file for reading without ever blocking and without a stat-then-open race: O_NONBLOCK, so a FIFO or a device
 * swapped in cannot hang the query thread, and (with `noFollow`) O_NOFOLLOW, so a final symlink is refused. The
 * descriptor itself is fstat'ed; anything but a regular file is closed again and reported with code ENOTREG.
 * Throws the open error (ENOENT, EACCES, ELOOP for a refused symlink, …) otherwise.
 */
export function openRegularFile(path: string, options: { noFollow?: boolean } = {}): OpenedFile {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0);
  const fd = openSync(path, flags);
  let stats: Stats;
  try {
    stats = fstatSync(fd);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  if (!stats.isFile()) {
    closeSync(fd);
    throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG' });
  }
  return { fd, stats };
}

/** openRegularFile, or undefined when the path cannot be opened or is not a regular file. */
export function tryOpenRegularFile(path: string, options: { noFollow?: boolean } = {}): OpenedFile | undefined {
  try {
    return openRegularFile(path, options);
  } catch {
    return undefined;
  }
}

/**
 * The whole content of an opened file, or undefined when it is larger than `maxBytes` (by fstat, or because it grew
 * while being read) or a read fails. Closes the descriptor.
 */
export function readOpenedFile(file: OpenedFile, maxBytes: number): Buffer | undefined {
  try {
    if (file.stats.size > maxBytes) return undefined;
    const buffer = Buffer.alloc(Math.min(maxBytes, file.stats.size) + 1);
    let total = 0;
    for (;;) {
      const read = readSync(file.fd, buffer, total, buffer.length - total, null);
      if (read === 0) break;
      total += read;
      if (total > maxBytes) return undefined;
      if (total === buffer.length) break;
    }
    return buffer.subarray(0, total);
  } catch {
    return undefined;
  } finally {
    closeSync(file.fd);
  }
}
