/**
 * Worker thread of FileInspector: the file's stat and (for CREATED / UPDATED) MD5+SHA1+SHA256 in one read, bounded by
 * read_max. Synchronous I/O here keeps the main thread's event loop and libuv's small thread pool free.
 * The file is opened first (O_NOFOLLOW, O_NONBLOCK, O_NOCTTY) and stat'ed through the descriptor, so the stat and
 * the hashed bytes belong to the same inode; symlinks and unopenable paths fall back to lstat.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, openSync, readSync, constants, type Stats } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { FileStat, InspectRequest, InspectResult } from './file-inspector.js';

const { readMax } = workerData as { readMax: number };
const SMALL = 1024 * 1024;
let buffer = Buffer.allocUnsafe(64 * 1024);
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

function toStat(st: Stats): FileStat {
  return {
    ino: st.ino,
    uid: st.uid,
    gid: st.gid,
    mode: st.mode,
    size: st.size,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
    ctime: Math.floor(st.ctimeMs / 1000),
  };
}

function result(id: number, stat: FileStat | null, hashed: 1 | 0 | -1, md5 = '', sha1 = '', sha256 = ''): InspectResult {
  return { id, stat, md5, sha1, sha256, hashed };
}

function statOnly(request: InspectRequest, path: Buffer): InspectResult {
  try {
    const st = lstatSync(path);
    // A symlink or directory is not hashed (0); anything else we could not open failed (-1).
    const hashed = !request.hash || st.isSymbolicLink() || st.isDirectory() ? 0 : -1;
    return result(request.id, toStat(st), hashed);
  } catch {
    return result(request.id, null, request.hash ? -1 : 0);
  }
}

/** Reads the whole (small) file; null when it grew past `limit`. */
function readAll(fd: number, expected: number, limit: number): Buffer | null {
  if (buffer.length < expected + 1) buffer = Buffer.allocUnsafe(Math.max(expected + 1, buffer.length * 2));
  let total = 0;
  for (;;) {
    if (total === buffer.length) {
      if (total > limit) return null;
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, total);
      buffer = bigger;
    }
    const n = readSync(fd, buffer, total, buffer.length - total, null);
    if (n <= 0) break;
    total += n;
  }
  return total > limit ? null : buffer.subarray(0, total);
}

function streamHash(fd: number, limit: number): [string, string, string] | null {
  const md5 = createHash('md5');
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  const chunk = Buffer.allocUnsafe(SMALL);
  let total = 0;
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n <= 0) break;
    total += n;
    if (total > limit) return null;
    const data = chunk.subarray(0, n);
    md5.update(data);
    sha1.update(data);
    sha256.update(data);
  }
  return [md5.digest('hex'), sha1.digest('hex'), sha256.digest('hex')];
}

function inspect(request: InspectRequest): InspectResult {
  const path = Buffer.from(request.path, 'latin1');
  if (!request.hash) return statOnly(request, path);
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch {
    return statOnly(request, path); // a symlink (ELOOP), gone, or unreadable
  }
  try {
    const st = fstatSync(fd);
    const stat = toStat(st);
    if (st.isDirectory()) return result(request.id, stat, 0);
    if (!st.isFile()) return result(request.id, stat, -1);
    if (st.size > readMax) return result(request.id, stat, 0);
    if (st.size < SMALL) {
      const data = readAll(fd, st.size, readMax);
      if (data === null) return result(request.id, stat, 0); // grew past read_max while being read
      return result(request.id, stat, 1, oneShotHash('md5', data), oneShotHash('sha1', data), oneShotHash('sha256', data));
    }
    const hashes = streamHash(fd, readMax);
    return hashes ? result(request.id, stat, 1, ...hashes) : result(request.id, stat, 0);
  } catch {
    return statOnly(request, path);
  } finally {
    closeSync(fd);
  }
}

parentPort!.on('message', (batch: InspectRequest[]) => {
  parentPort!.postMessage(batch.map(inspect));
});
