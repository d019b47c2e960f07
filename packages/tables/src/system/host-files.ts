/**
 * Small synchronous readers for kernel and configuration files, shared by the system, users and processes tables.
 * Every reader returns `undefined` when the source is missing or unreadable: a table whose source is absent
 * returns no rows rather than failing.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
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

/** Directory entry names, or an empty list when the directory cannot be read. */
export function listDirectory(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
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
