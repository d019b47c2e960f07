/**
 * Worker thread: drains an inotify fd with poll()+read() and posts the raw bytes to the main thread, so the kernel
 * queue keeps emptying while the main thread hashes files. Stops when told ('stop') within one poll timeout.
 */
import { parentPort, workerData } from 'node:worker_threads';
import koffi from 'koffi';

const { fd, pollMs } = workerData as { fd: number; pollMs: number };
const lib = koffi.load('libc.so.6');
const poll = lib.func('int poll(_Inout_ void *fds, unsigned long nfds, int timeout)');
const read = lib.func('long read(int fd, _Out_ void *buf, unsigned long count)');
const EAGAIN = 11;
const EINTR = 4;
const buffer = Buffer.alloc(256 * 1024);
const pollfd = Buffer.alloc(8);
let stopping = false;
parentPort!.on('message', (message) => {
  if (message === 'stop') stopping = true;
});

function loop(): void {
  if (stopping) {
    parentPort!.postMessage({ kind: 'stopped' });
    parentPort!.close();
    return;
  }
  pollfd.writeInt32LE(fd, 0);
  pollfd.writeInt16LE(1 /* POLLIN */, 4);
  pollfd.writeInt16LE(0, 6);
  const ready = poll(pollfd, 1, pollMs) as number;
  if (ready < 0 && koffi.errno() !== EINTR) {
    parentPort!.postMessage({ kind: 'error', message: `poll on the inotify descriptor failed (errno ${koffi.errno()})` });
  }
  if (ready > 0) {
    const chunks: Buffer[] = [];
    for (;;) {
      const n = Number(read(fd, buffer, buffer.length));
      if (n > 0) {
        chunks.push(Buffer.from(buffer.subarray(0, n)));
        if (chunks.length >= 16) break;
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
    if (chunks.length > 0) {
      const data = Buffer.concat(chunks);
      const copy = new Uint8Array(data.length);
      copy.set(data);
      parentPort!.postMessage({ kind: 'events', data: copy.buffer }, [copy.buffer]);
    }
  }
  setImmediate(loop);
}
loop();
