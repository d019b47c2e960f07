/**
 * Worker thread of FileInspector: lstat and (for CREATED / UPDATED) MD5+SHA1+SHA256 in one pass, bounded by
 * read_max. Synchronous I/O here keeps the main thread's event loop and libuv's small thread pool free.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readSync, constants } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { InspectRequest, InspectResult } from './file-inspector.js';

const { readMax } = workerData as { readMax: number };
const chunk = Buffer.allocUnsafe(1024 * 1024);

function inspect(request: InspectRequest): InspectResult {
  const path = Buffer.from(request.path, 'latin1');
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return { id: request.id, stat: null, md5: '', sha1: '', sha256: '', hashed: request.hash ? -1 : 0 };
  }
  const stat = {
    ino: st.ino,
    uid: st.uid,
    gid: st.gid,
    mode: st.mode,
    size: st.size,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
    ctime: Math.floor(st.ctimeMs / 1000),
  };
  const none: InspectResult = { id: request.id, stat, md5: '', sha1: '', sha256: '', hashed: 0 };
  if (!request.hash || st.isDirectory() || st.isSymbolicLink()) return none;
  if (!st.isFile()) return { ...none, hashed: -1 };
  if (st.size > readMax) return none;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return { ...none, hashed: -1 };
  }
  try {
    const md5 = createHash('md5');
    const sha1 = createHash('sha1');
    const sha256 = createHash('sha256');
    let total = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n <= 0) break;
      total += n;
      if (total > readMax) return none; // grew past read_max while being read
      const data = chunk.subarray(0, n);
      md5.update(data);
      sha1.update(data);
      sha256.update(data);
    }
    return { id: request.id, stat, md5: md5.digest('hex'), sha1: sha1.digest('hex'), sha256: sha256.digest('hex'), hashed: 1 };
  } catch {
    // Includes EISDIR when the path was swapped for a directory between lstat and read.
    return { ...none, hashed: -1 };
  } finally {
    closeSync(fd);
  }
}

parentPort!.on('message', (batch: InspectRequest[]) => {
  parentPort!.postMessage(batch.map(inspect));
});
