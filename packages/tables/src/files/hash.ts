import { createHash } from 'node:crypto';
import { closeSync, readSync } from 'node:fs';
import type { QueryContext, Row, TableDefinition } from '@quarry/sql';
import { listDirectory, tryOpenRegularFile, type OpenedFile } from '../system/host-files.js';
import { MOUNT_NAMESPACE_ID, namespaceColumns, namespaceRoots, PID_WITH_NAMESPACE, type NamespaceRoot } from './namespace-roots.js';
import { joinEntry, pathsFromConstraints, splitPath } from './path-patterns.js';

/** osquery's `read_max` default: 50 MiB. */
export const DEFAULT_READ_MAX = 50 * 1024 * 1024;
/** osquery's `hash_cache_max` default. */
export const DEFAULT_HASH_CACHE_MAX = 500;
const CHUNK_SIZE = 1024 * 1024;

export interface FileHashes {
  readonly md5: string;
  readonly sha1: string;
  readonly sha256: string;
}

const EMPTY_HASHES: FileHashes = { md5: '', sha1: '', sha256: '' };

export interface HashTableOptions {
  /** Files larger than this many bytes are not read; their hashes are empty (osquery's --read_max). */
  readonly readMax?: number;
  /** Entries in the path-keyed cache, re-hashed when the file's stat changes (osquery's --hash_cache_max). */
  readonly cacheMax?: number;
}

type HashOutcome = { readonly hashes: FileHashes; readonly tooLarge: boolean };

/** md5, sha1 and sha256 of an opened file in one streamed pass; empty strings when unreadable or over `readMax`. */
function hashOpened(file: OpenedFile, readMax: number): HashOutcome {
  try {
    if (file.stats.size > readMax) return { hashes: EMPTY_HASHES, tooLarge: true };
    const md5 = createHash('md5');
    const sha1 = createHash('sha1');
    const sha256 = createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK_SIZE);
    let total = 0;
    for (;;) {
      const read = readSync(file.fd, buffer, 0, CHUNK_SIZE, null);
      if (read === 0) break;
      total += read;
      if (total > readMax) return { hashes: EMPTY_HASHES, tooLarge: true };
      const chunk = buffer.subarray(0, read);
      md5.update(chunk);
      sha1.update(chunk);
      sha256.update(chunk);
    }
    return { hashes: { md5: md5.digest('hex'), sha1: sha1.digest('hex'), sha256: sha256.digest('hex') }, tooLarge: false };
  } catch {
    return { hashes: EMPTY_HASHES, tooLarge: false };
  } finally {
    closeSync(file.fd);
  }
}

/**
 * md5, sha1 and sha256 of a regular file; empty strings when it is unreadable, not a regular file or over `readMax`.
 * The file is opened first (O_NONBLOCK, so a FIFO cannot hang the query) and checked on its descriptor.
 */
export function hashFile(path: string, readMax: number = DEFAULT_READ_MAX): HashOutcome {
  const file = tryOpenRegularFile(path);
  return file === undefined ? { hashes: EMPTY_HASHES, tooLarge: false } : hashOpened(file, readMax);
}

/** Path-keyed LRU of hashes, valid while the file's inode, size, mtime and ctime are unchanged. */
class HashCache {
  private readonly entries = new Map<string, { stamp: string; hashes: FileHashes }>();
  constructor(private readonly capacity: number) {}

  get(path: string, stamp: string): FileHashes | undefined {
    const entry = this.entries.get(path);
    if (!entry || entry.stamp !== stamp) return undefined;
    this.entries.delete(path);
    this.entries.set(path, entry);
    return entry.hashes;
  }

  set(path: string, stamp: string, hashes: FileHashes): void {
    if (this.capacity <= 0) return;
    this.entries.delete(path);
    this.entries.set(path, { stamp, hashes });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}

/** The `hash` table with its own read limit and cache (one per engine). */
export function createHashTable(options: HashTableOptions = {}): TableDefinition {
  const readMax = options.readMax ?? DEFAULT_READ_MAX;
  if (!Number.isFinite(readMax) || readMax < 0) {
    throw new Error(`hash table: readMax must be a non-negative number of bytes, got ${String(options.readMax)}`);
  }
  const cache = new HashCache(options.cacheMax ?? DEFAULT_HASH_CACHE_MAX);

  function hashRow(context: QueryContext, path: string, directory: string, root: NamespaceRoot): Row | null {
    const onDisk = root.path(path);
    if (onDisk === undefined) return null;
    // Open first, then fstat the descriptor: no stat-then-open race, and a FIFO never blocks (O_NONBLOCK).
    const file = tryOpenRegularFile(onDisk);
    if (file === undefined) return null;
    const stats = file.stats;
    const stamp = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
    let hashes = cache.get(onDisk, stamp);
    if (hashes) closeSync(file.fd);
    else {
      const outcome = hashOpened(file, readMax);
      if (outcome.tooLarge) context.session.warn(`Cannot read file that exceeds size limit: ${path}`);
      hashes = outcome.hashes;
      if (hashes.md5 !== '') cache.set(onDisk, stamp, hashes);
    }
    return { path, directory, ...hashes, ...namespaceColumns(root) };
  }

  function* generate(context: QueryContext): Iterable<Row> {
    for (const root of namespaceRoots(context)) {
      for (const path of pathsFromConstraints(context, 'path', 'files', root.prefix)) {
        const row = hashRow(context, path, splitPath(path).directory, root);
        if (row) yield row;
      }
      for (const directory of pathsFromConstraints(context, 'directory', 'folders', root.prefix)) {
        for (const name of listDirectory(root.prefix + directory)) {
          const row = hashRow(context, joinEntry(directory, name), directory, root);
          if (row) yield row;
        }
      }
    }
  }

  return {
    name: 'hash',
    description: 'Filesystem hash data.',
    columns: [
      { name: 'path', type: 'TEXT', required: true, index: true, optimized: true, description: 'Must provide a path or directory' },
      { name: 'directory', type: 'TEXT', required: true, optimized: true, description: 'Must provide a path or directory' },
      { name: 'md5', type: 'TEXT', collate: 'nocase', description: 'MD5 hash of provided filesystem data' },
      { name: 'sha1', type: 'TEXT', collate: 'nocase', description: 'SHA1 hash of provided filesystem data' },
      { name: 'sha256', type: 'TEXT', collate: 'nocase', description: 'SHA256 hash of provided filesystem data' },
      { ...PID_WITH_NAMESPACE, description: 'Pids that contain a namespace' },
      { ...MOUNT_NAMESPACE_ID, description: 'Mount namespace id' },
    ],
    generate,
  };
}

/** The hash table with osquery's defaults (read_max 50 MiB, hash_cache_max 500). */
export const hash: TableDefinition = createHashTable();
