// Worker thread body of AuditReader: owns one audit socket, blocks in poll(2) and recv(2) here (never on the main
// thread), and posts batches of raw records. In unicast mode it registers this process as the audit daemon from its
// own socket (the kernel delivers records to the socket that set the pid) and releases it on stop.
import { parentPort, workerData } from 'node:worker_threads';
import { AUDIT_SET, NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN } from './constants.js';
import { AuditError } from './errors.js';
import { CONTROL_HANDLED, CONTROL_PAUSES, CONTROL_POSTED, CONTROL_STOP } from './reader-control.js';
import { decodeAuditDatagram, payloadText } from './netlink.js';
import { AuditSocket } from './socket.js';
import { encodeStatusChange } from './status.js';
import { transactSync } from './transaction.js';

export interface ReaderWorkerData {
  mode: 'unicast' | 'multicast';
  pid: number;
  receiveBufferBytes: number;
  maxBatch: number;
  pollMs: number;
  /**
   * Int32Array over a SharedArrayBuffer, slots in reader-control.ts: stop request, batches posted (worker), batches
   * handled (main thread), times the worker paused because `maxPendingBatches` were waiting.
   */
  control: SharedArrayBuffer;
  /** Batches posted and not yet handled beyond which the worker stops receiving (the kernel then holds the records). */
  maxPendingBatches: number;
}


export type ReaderWorkerMessage =
  | { kind: 'ready'; portId: number }
  | { kind: 'failed'; operation: string; errno: number; message: string }
  | { kind: 'batch'; types: number[]; texts: string[]; overruns: number; malformed: number }
  | { kind: 'stopped'; releasedPid: boolean };

const port = parentPort;
if (!port) throw new Error('reader-worker.js must run as a worker thread');
const data = workerData as ReaderWorkerData;
const control = new Int32Array(data.control);
const post = (message: ReaderWorkerMessage): void => port.postMessage(message);

function run(): void {
  let socket: AuditSocket;
  try {
    socket = AuditSocket.open({ multicast: data.mode === 'multicast', receiveBufferBytes: data.receiveBufferBytes });
    if (data.mode === 'unicast') {
      transactSync(socket, {
        type: AUDIT_SET,
        payload: encodeStatusChange({ pid: data.pid }),
        expect: { kind: 'ack' },
        operation: 'set the audit pid (register as the audit daemon)',
        timeoutMs: 2000,
      });
    }
  } catch (error) {
    const e = error instanceof AuditError ? error : new AuditError('start the audit reader', 0, String(error));
    post({ kind: 'failed', operation: e.operation, errno: e.errno, message: e.message });
    return;
  }
  post({ kind: 'ready', portId: socket.portId });

  let types: number[] = [];
  let texts: string[] = [];
  let overruns = 0;
  let malformed = 0;
  const flush = (): void => {
    if (types.length === 0 && overruns === 0 && malformed === 0) return;
    Atomics.add(control, CONTROL_POSTED, 1);
    post({ kind: 'batch', types, texts, overruns, malformed });
    types = [];
    texts = [];
    overruns = 0;
    malformed = 0;
  };

  let paused = false;
  while (Atomics.load(control, CONTROL_STOP) === 0) {
    const handled = Atomics.load(control, CONTROL_HANDLED);
    if (Atomics.load(control, CONTROL_POSTED) - handled >= data.maxPendingBatches) {
      // The main thread is behind: leave the records to the kernel (socket buffer, then the audit backlog, whose
      // overflow the kernel counts as lost) until it handles a batch.
      if (!paused) Atomics.add(control, CONTROL_PAUSES, 1);
      paused = true;
      Atomics.wait(control, CONTROL_HANDLED, handled, data.pollMs);
      continue;
    }
    paused = false;
    if (!socket.waitReadableSync(data.pollMs)) continue;
    for (;;) {
      const got = socket.receiveNow();
      if (got.kind === 'empty') break;
      if (got.kind === 'overrun') {
        overruns++;
        continue;
      }
      const decoded = decodeAuditDatagram(got.data);
      malformed += decoded.errors.length;
      for (const m of decoded.messages) {
        if (m.type === NLMSG_ERROR || m.type === NLMSG_DONE || m.type === NLMSG_NOOP || m.type === NLMSG_OVERRUN) continue;
        types.push(m.type);
        texts.push(payloadText(m.payload));
      }
      if (types.length >= data.maxBatch) {
        flush();
        if (Atomics.load(control, CONTROL_POSTED) - Atomics.load(control, CONTROL_HANDLED) >= data.maxPendingBatches) break;
      }
    }
    flush();
  }

  let releasedPid = false;
  if (data.mode === 'unicast') {
    try {
      transactSync(socket, {
        type: AUDIT_SET,
        payload: encodeStatusChange({ pid: 0 }),
        expect: { kind: 'ack' },
        operation: 'release the audit pid',
        timeoutMs: 2000,
      });
      releasedPid = true;
    } catch {
      // The owning AuditClient checks the status again and reports what it could not put back.
    }
  }
  socket.close();
  post({ kind: 'stopped', releasedPid });
}

run();
