/** Worker of SyncExtensionCaller: runs each exchange it is sent, posts the reply bytes back, then wakes the caller. */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { exchange, ExchangeError } from './socket-exchange.js';
import type { CallReply, CallRequest } from './sync-extension-call.js';

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
if (!parentPort) throw new Error('sync-call-worker.js must run as a worker thread');

port.on('message', (request: CallRequest) => {
  const done = (reply: CallReply, transfer: ArrayBuffer[] = []): void => {
    port.postMessage(reply, transfer);
    Atomics.store(signal, 0, request.id);
    Atomics.notify(signal, 0);
  };
  exchange(request.socketPath, Buffer.from(request.request), { timeoutMs: request.timeoutMs, maxReplyBytes: request.maxReplyBytes }).then(
    (reply) => {
      const bytes = new Uint8Array(reply.buffer, reply.byteOffset, reply.byteLength);
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      done({ id: request.id, ok: true, reply: own }, [own.buffer as ArrayBuffer]);
    },
    (error: unknown) =>
      done({ id: request.id, ok: false, error: String((error as Error)?.message ?? error), reason: error instanceof ExchangeError ? error.reason : 'closed' }),
  );
});
