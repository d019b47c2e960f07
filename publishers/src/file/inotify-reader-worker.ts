/**
 * Worker thread: drains an inotify fd with poll()+read() and posts the raw bytes to the main thread, so the kernel
 * queue keeps emptying while the main thread hashes files. Stops when told ('stop') within one poll timeout.
 *
 * Batching: once the descriptor is readable, the worker keeps reading what arrives for up to GATHER_MS (or until
 * GATHER_BYTES are gathered) and posts it as one message. In a burst that turns tens of thousands of tiny messages
 * (a few events each) into a few hundred, at the price of at most GATHER_MS of extra latency.
 *
 * Bounded hand-over: `credit` is an Int32Array over a SharedArrayBuffer, [0] = batches posted (worker),
 * [1] = batches handled (main thread), [2] = times the worker paused. With `maxPendingBatches` posted and not yet
 * handled, the worker stops reading: the kernel queue fills instead of this process's memory, and when it is full the
 * kernel reports IN_Q_OVERFLOW (the publisher counts it), exactly as when nothing reads at all.
 */
import { parentPort, workerData } from 'node:worker_threads';
import koffi from 'koffi';

const { fd, pollMs, credit: creditBuffer, maxPendingBatches } = workerData as {
  fd: number;
  pollMs: number;
  credit: SharedArrayBuffer;
  maxPendingBatches: number;
};
const credit = new Int32Array(creditBuffer);
const POSTED = 0;
const HANDLED = 1;
const PAUSES = 2;
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
let paused = false;
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
  const handled = Atomics.load(credit, HANDLED);
  if (Atomics.load(credit, POSTED) - handled >= maxPendingBatches) {
    // The main thread is behind: leave the events in the kernel queue until it handles a batch (or stop is asked).
    if (!paused) Atomics.add(credit, PAUSES, 1);
    paused = true;
    Atomics.wait(credit, HANDLED, handled, pollMs);
    setImmediate(loop);
    return;
  }
  paused = false;
  if (waitReadable(pollMs)) {
    let end = readAvailable(0);
    const deadline = performance.now() + GATHER_MS;
    while (end > 0 && end <= GATHER_BYTES && !stopping) {
      const left = deadline - performance.now();
      if (left <= 0 || !waitReadable(Math.ceil(left))) break;
      end = readAvailable(end);
    }
    if (end > 0) {
      // slice() copies the gathered bytes into a buffer of their own, which is transferred; `gathered` is reused.
      const data = gathered.buffer.slice(gathered.byteOffset, gathered.byteOffset + end);
      Atomics.add(credit, POSTED, 1);
      parentPort!.postMessage({ kind: 'events', data }, [data]);
    }
  }
  setImmediate(loop);
}
loop();
