/**
 * Worker thread: waits on a uevent netlink socket with poll() and receives each datagram with recvfrom(), keeping
 * the sender's address (port id 0 is the kernel) and whether it was truncated (MSG_TRUNC gives the real length).
 * Datagrams that arrive together are posted as one batch. ENOBUFS (the socket's receive buffer overflowed, so the
 * kernel dropped events) is reported as a count. Stops within one poll timeout when told 'stop'.
 */
import { parentPort, workerData } from 'node:worker_threads';
import koffi from 'koffi';

const { fd, pollMs } = workerData as { fd: number; pollMs: number };
const lib = koffi.load('libc.so.6');
const poll = lib.func('int poll(_Inout_ void *fds, unsigned long nfds, int timeout)');
const recvfrom = lib.func('long recvfrom(int fd, _Out_ void *buf, unsigned long len, int flags, _Out_ void *addr, _Inout_ void *addrlen)');
const EAGAIN = 11;
const EINTR = 4;
const ENOBUFS = 105;
const MSG_TRUNC = 0x20;
const MSG_DONTWAIT = 0x40;
/** Larger than any uevent (the kernel's are at most 2 KiB, udevd's a few KiB); longer ones arrive truncated. */
const DATAGRAM_BYTES = 16 * 1024;
const BATCH_MAX = 256;
const buffer = Buffer.allocUnsafe(DATAGRAM_BYTES);
const sender = Buffer.alloc(12);
const senderLength = Buffer.alloc(4);
const pollfd = Buffer.alloc(8);
let stopping = false;
parentPort!.on('message', (message) => {
  if (message === 'stop') stopping = true;
});

export interface ReceivedDatagram {
  /** The datagram's bytes (at most DATAGRAM_BYTES). */
  data: ArrayBuffer;
  /** Its real length: more than data.byteLength when it was truncated. */
  length: number;
  /** The sender's netlink port id (0: the kernel). */
  senderPort: number;
  /** The groups bitmask the datagram was sent to. */
  groups: number;
}

function waitReadable(): boolean {
  pollfd.writeInt32LE(fd, 0);
  pollfd.writeInt16LE(1 /* POLLIN */, 4);
  pollfd.writeInt16LE(0, 6);
  const ready = poll(pollfd, 1, pollMs) as number;
  if (ready < 0 && koffi.errno() !== EINTR) parentPort!.postMessage({ kind: 'error', message: `poll on the uevent socket failed (errno ${koffi.errno()})` });
  return ready > 0;
}

function receiveAvailable(): void {
  const batch: ReceivedDatagram[] = [];
  let overflows = 0;
  while (batch.length < BATCH_MAX) {
    senderLength.writeUInt32LE(12, 0);
    const n = Number(recvfrom(fd, buffer, DATAGRAM_BYTES, MSG_DONTWAIT | MSG_TRUNC, sender, senderLength));
    if (n >= 0) {
      const kept = Math.min(n, DATAGRAM_BYTES);
      const data = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + kept);
      batch.push({ data, length: n, senderPort: sender.readUInt32LE(4), groups: sender.readUInt32LE(8) });
      continue;
    }
    const errno = koffi.errno();
    if (errno === ENOBUFS) {
      overflows++;
      continue;
    }
    if (errno !== EAGAIN && errno !== EINTR) parentPort!.postMessage({ kind: 'error', message: `receiving from the uevent socket failed (errno ${errno})` });
    break;
  }
  if (overflows > 0) parentPort!.postMessage({ kind: 'overflow', count: overflows });
  if (batch.length > 0) parentPort!.postMessage({ kind: 'datagrams', batch }, batch.map((d) => d.data));
}

function loop(): void {
  if (stopping) {
    parentPort!.postMessage({ kind: 'stopped' });
    parentPort!.close();
    return;
  }
  if (waitReadable()) receiveAvailable();
  setImmediate(loop);
}
loop();
