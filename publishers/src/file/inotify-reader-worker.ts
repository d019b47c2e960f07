/**
 * Worker thread: drains an inotify fd with poll()+read() and posts the raw bytes to the main thread, so the kernel
 * queue keeps emptying while the main thread hashes files. Stops when told ('stop') within one poll timeout.
 *
 * Batching: once the descriptor is readable, the worker keeps reading what arrives for up to GATHER_MS (or until
 * GATHER_BYTES are gathered) and posts it as one message. In a burst that turns tens of thousands of tiny messages
 * (a few events each) into a few hundred, at the price of at most GATHER_MS of extra latency.
 */
import { parentPort, workerData } from 'node:worker_threads';
import koffi from 'koffi';

const { fd, pollMs } = workerData as { fd: number; pollMs: number };
const lib = koffi.load('libc.so.6');
const poll = lib.func('int poll(_Inout_ void *fds, unsigned long nfds, int timeout)');
const read = lib.func('long read(int fd, _Out_ void *buf, unsigned long count)');
const EAGAIN = 11;
const EINTR = 4;
const GATHER_MS = 2;
const GATHER_BYTES = 512 * 1024;
/** One read() takes at most this much (a multiple of the largest inotify record, 16 + NAME_MAX + 1). */
const READ_BYTES = 64 * 1024;
const gathered = Buffer.allocUnsafe(GATHER_BYTES + READ_BYTES);
const pollfd = Buffer.alloc(8);
let stopping = false;
parentPort!.on('message', (message) => {
  if (message === 'stop') stopping = true;
});

function waitReadable(timeoutMs: number): boolean {
  pollfd.writeInt32LE(fd, 0);
  pollfd.writeInt16LE(1 /* POLLIN */, 4);
  pollfd.writeInt16LE(0, 6);
  const ready = poll(pollfd, 1, timeoutMs) as number;
  if (ready < 0 && koffi.errno() !== EINTR) {
    parentPort!.postMessage({ kind: 'error', message: `poll on the inotify descriptor failed (errno ${koffi.errno()})` });
  }
  return ready > 0;
}

/** Reads everything available now into `gathered` from `offset`; returns the new end. */
function readAvailable(offset: number): number {
  let end = offset;
  while (end <= GATHER_BYTES) {
    const n = Number(read(fd, gathered.subarray(end), READ_BYTES));
    if (n > 0) {
      end += n;
      continue;
    }
    if (n < 0) {
      const errno = koffi.errno();
      if (errno !== EAGAIN && errno !== EINTR) {
        parentPort!.postMessage({ kind: 'error', message: `reading the inotify descriptor failed (errno ${errno})` });
      }
    }
    break;
  }
  return end;
}

function loop(): void {
  if (stopping) {
    parentPort!.postMessage({ kind: 'stopped' });
    parentPort!.close();
    return;
  }
  if (waitReadable(pollMs)) {
    let end = readAvailable(0);
    const deadline = performance.now() + GATHER_MS;
    while (end > 0 && end <= GATHER_BYTES && !stopping) {
      const left = deadline - performance.now();
      if (left <= 0 || !waitReadable(Math.ceil(left))) break;
      end = readAvailable(end);
    }
    if (end > 0) {
      // The gathered bytes are handed over (transferred, no copy); the next batch gets a fresh buffer.
      const data = gathered.buffer.slice(gathered.byteOffset, gathered.byteOffset + end);
      parentPort!.postMessage({ kind: 'events', data }, [data]);
    }
  }
  setImmediate(loop);
}
loop();
