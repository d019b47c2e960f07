/**
 * Synchronous calls to an extension from a table generator (generators are synchronous, as osquery's). The exchange
 * runs on a helper worker thread that stays up between calls while the query thread waits on an Atomics cell, as
 * @quarry/tables' sync-http does; the query thread is a query worker of quarryd or quarryi's engine thread, never an
 * event loop that serves others. The wait is bounded, so an extension that never answers never hangs a query.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { ExchangeError } from './socket-exchange.js';

export interface CallRequest {
  id: number;
  socketPath: string;
  request: Uint8Array;
  timeoutMs: number;
  maxReplyBytes: number;
}
export type CallReply = { id: number; ok: true; reply: Uint8Array } | { id: number; ok: false; error: string; reason: ExchangeError['reason'] };

/** Time allowed, beyond the call's own timeout, for the helper thread to start and answer. */
const WORKER_GRACE_MS = 2000;

function workerScript(): URL {
  // Next to this module in dist/, or flat in a bundle folder beside the chunk that holds this code.
  const url = new URL('./sync-call-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(url))) return url;
  throw new Error(`the extension call worker sync-call-worker.js was not found next to ${fileURLToPath(import.meta.url)}; rebuild @quarry/extensions`);
}

export class SyncExtensionCaller {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;

  /** Sends `request` to the socket and returns the reply message; throws ExchangeError. */
  call(socketPath: string, request: Buffer, timeoutMs: number, maxReplyBytes: number): Buffer {
    const port = this.ensureWorker();
    const id = this.nextId++;
    Atomics.store(this.signal, 0, 0);
    port.postMessage({ id, socketPath, request, timeoutMs, maxReplyBytes } satisfies CallRequest);
    const deadline = performance.now() + timeoutMs + WORKER_GRACE_MS;
    for (;;) {
      const message = receiveMessageOnPort(port)?.message as CallReply | undefined;
      if (message) {
        if (message.id !== id) continue; // the late answer of a call that already gave up
        if (!message.ok) throw new ExchangeError(message.error, message.reason);
        return Buffer.from(message.reply.buffer, message.reply.byteOffset, message.reply.byteLength);
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        this.stop();
        throw new ExchangeError(`no answer within ${timeoutMs} ms`, 'timeout');
      }
      Atomics.wait(this.signal, 0, 0, left);
      Atomics.store(this.signal, 0, 0);
    }
  }

  /** Ends the helper thread (a new one starts on the next call). */
  stop(): void {
    this.port?.close();
    void this.worker?.terminate();
    this.worker = undefined;
    this.port = undefined;
  }

  private ensureWorker(): MessagePort {
    if (this.worker && this.port) return this.port;
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(workerScript(), { workerData: { port: port2, signal: this.signal }, transferList: [port2] });
    worker.unref();
    port1.unref();
    worker.on('error', () => this.stop());
    worker.on('exit', () => {
      if (this.worker === worker) {
        this.worker = undefined;
        this.port = undefined;
      }
    });
    this.worker = worker;
    this.port = port1;
    return port1;
  }
}
