/**
 * Worker thread of FileInspector: the file's stat and (for CREATED / UPDATED) MD5+SHA1+SHA256 in one read, bounded by
 * read_max. Synchronous I/O here keeps the main thread's event loop and libuv's small thread pool free.
 * The file is opened first (O_NOFOLLOW, O_NONBLOCK, O_NOCTTY) and stat'ed through the descriptor, so the stat and
 * the hashed bytes belong to the same inode; symlinks and unopenable paths fall back to lstat.
 * A small file is read with one read() into a buffer one byte larger than its size: a short read is end-of-file,
 * so no second read() is needed to see EOF. Results are written straight into one Float64Array per batch.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, openSync, readSync, constants, type Stats } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import {
  RESULT_FIELDS,
  RESULT_HASHED,
  RESULT_INO,
  RESULT_PRESENT,
  type InspectBatch,
  type InspectBatchResult,
} from './file-inspector.js';

const { readMax } = workerData as { readMax: number };
const SMALL = 1024 * 1024;
let buffer = Buffer.allocUnsafe(64 * 1024);
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/** Writes one result into `numbers` at `at`; digests (if hashed) go to `digests`. */
class BatchWriter {
  readonly numbers: Float64Array;
  readonly digests: string[] = [];
  constructor(count: number) {
    this.numbers = new Float64Array(count * RESULT_FIELDS);
  }

  put(index: number, st: Stats | null, hashed: 1 | 0 | -1, md5 = '', sha1 = '', sha256 = ''): void {
    const at = index * RESULT_FIELDS;
    const n = this.numbers;
    n[at + RESULT_HASHED] = hashed;
    if (st) {
      const s = at + RESULT_INO;
      n[at + RESULT_PRESENT] = 1;
      n[s] = st.ino;
      n[s + 1] = st.uid;
      n[s + 2] = st.gid;
      n[s + 3] = st.mode;
      n[s + 4] = st.size;
      n[s + 5] = Math.floor(st.atimeMs / 1000);
      n[s + 6] = Math.floor(st.mtimeMs / 1000);
      n[s + 7] = Math.floor(st.ctimeMs / 1000);
    }
    if (hashed === 1) this.digests.push(md5, sha1, sha256);
  }
}

function statOnly(out: BatchWriter, index: number, path: Buffer, hash: boolean): void {
  try {
    const st = lstatSync(path);
    // A symlink or directory is not hashed (0); anything else we could not open failed (-1).
    out.put(index, st, !hash || st.isSymbolicLink() || st.isDirectory() ? 0 : -1);
  } catch {
    out.put(index, null, hash ? -1 : 0);
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
    const wanted = buffer.length - total;
    const n = readSync(fd, buffer, total, wanted, null);
    if (n <= 0) break;
    total += n;
    // A regular file returns less than asked only at end-of-file: no extra read() to learn that.
    if (n < wanted) break;
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

function inspect(out: BatchWriter, index: number, pathBytes: string, hash: boolean): void {
  const path = Buffer.from(pathBytes, 'latin1');
  if (!hash) return statOnly(out, index, path, false);
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch {
    return statOnly(out, index, path, true); // a symlink (ELOOP), gone, or unreadable
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return out.put(index, st, 0);
    if (!st.isFile()) return out.put(index, st, -1);
    if (st.size > readMax) return out.put(index, st, 0);
    if (st.size < SMALL) {
      const data = readAll(fd, st.size, readMax);
      if (data === null) return out.put(index, st, 0); // grew past read_max while being read
      return out.put(index, st, 1, oneShotHash('md5', data), oneShotHash('sha1', data), oneShotHash('sha256', data));
    }
    const hashes = streamHash(fd, readMax);
    return hashes ? out.put(index, st, 1, ...hashes) : out.put(index, st, 0);
  } catch {
    return statOnly(out, index, path, true);
  } finally {
    closeSync(fd);
  }
}

parentPort!.on('message', (batch: InspectBatch) => {
  const requests = batch.requests.split('\0');
  const out = new BatchWriter(requests.length);
  for (let i = 0; i < requests.length; i++) {
    const request = requests[i]!;
    inspect(out, i, request.slice(1), request.charCodeAt(0) === 49 /* '1' */);
  }
  const answer: InspectBatchResult = { id: batch.id, numbers: out.numbers, digests: out.digests.join('') };
  parentPort!.postMessage(answer, [out.numbers.buffer as ArrayBuffer]);
});
