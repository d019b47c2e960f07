// AuditReader: a stream of raw audit records received on a worker thread and delivered to the main thread in batches.
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { AuditError } from './errors.js';
import type { ReaderWorkerData, ReaderWorkerMessage } from './reader-worker.js';
import { CONTROL_HANDLED, CONTROL_PAUSES, CONTROL_SLOTS, CONTROL_STOP } from './reader-control.js';

/** One record as the kernel sent it: its type number and its text (`audit(...): k=v ...`). */
export interface AuditMessage {
  type: number;
  text: string;
}

export type AuditListenMode = 'unicast' | 'multicast';

export interface AuditReaderOptions {
  /**
   * unicast: become the audit daemon (take the kernel audit pid); records come only to us, and the kernel's
   * backlog applies back-pressure. multicast: listen read-only on the read-log group beside another daemon.
   */
  mode: AuditListenMode;
  /** Most records per batch (default 4096). */
  maxBatch?: number;
  /** Socket receive buffer in bytes (default 8 MiB). */
  receiveBufferBytes?: number;
  /** How often the worker checks for stop while idle, in ms (default 200). */
  pollMs?: number;
  /**
   * Batches handed to the main thread and not yet handled beyond which the worker stops receiving (default 64).
   * The kernel then holds the records: the socket buffer (overruns), then the audit backlog (counted as lost).
   */
  maxPendingBatches?: number;
}

export interface AuditReaderStats {
  records: number;
  batches: number;
  /** Times the socket buffer overflowed (ENOBUFS): records were lost before we could read them. */
  overruns: number;
  /** Datagrams with malformed netlink framing. */
  malformed: number;
  /** Times the worker stopped receiving because `maxPendingBatches` batches waited for the main thread. */
  pauses: number;
}

export interface AuditReaderEvents {
  batch: [records: AuditMessage[]];
  error: [error: Error];
  close: [];
}

export class AuditReader extends EventEmitter<AuditReaderEvents> {
  readonly mode: AuditListenMode;
  private readonly worker: Worker;
  private readonly control: Int32Array;
  private readonly counters: Omit<AuditReaderStats, 'pauses'> = { records: 0, batches: 0, overruns: 0, malformed: 0 };
  private stopping: Promise<boolean> | undefined;
  private exited = false;
  private pidReleased = false;

  private constructor(mode: AuditListenMode, worker: Worker, control: Int32Array) {
    super();
    this.mode = mode;
    this.worker = worker;
    this.control = control;
  }

  /** Starts the worker; resolves once its socket is open (and, in unicast mode, the pid is ours). */
  static start(options: AuditReaderOptions): Promise<AuditReader> {
    if (options.mode !== 'unicast' && options.mode !== 'multicast') {
      return Promise.reject(new RangeError(`audit reader mode must be "unicast" or "multicast", got "${String(options.mode)}"`));
    }
    const maxPendingBatches = options.maxPendingBatches ?? 64;
    if (!Number.isInteger(maxPendingBatches) || maxPendingBatches < 1) {
      return Promise.reject(new RangeError(`audit reader maxPendingBatches must be a whole number of at least 1, got ${String(maxPendingBatches)}`));
    }
    const shared = new SharedArrayBuffer(4 * CONTROL_SLOTS);
    const data: ReaderWorkerData = {
      maxPendingBatches,
      mode: options.mode,
      pid: process.pid,
      receiveBufferBytes: options.receiveBufferBytes ?? 8 * 1024 * 1024,
      maxBatch: options.maxBatch ?? 4096,
      pollMs: options.pollMs ?? 200,
      control: shared,
    };
    const worker = new Worker(new URL('./reader-worker.js', import.meta.url), { workerData: data });
    const reader = new AuditReader(options.mode, worker, new Int32Array(shared));
    return new Promise((resolve, reject) => {
      let settled = false;
      worker.on('message', (message: ReaderWorkerMessage) => {
        if (message.kind === 'ready') {
          settled = true;
          resolve(reader);
        } else if (message.kind === 'failed') {
          const error = new AuditError(message.operation, message.errno);
          if (!settled) {
            settled = true;
            reject(error);
          } else reader.emit('error', error);
        } else if (message.kind === 'batch') {
          try {
            reader.takeBatch(message);
          } finally {
            Atomics.add(reader.control, CONTROL_HANDLED, 1);
            Atomics.notify(reader.control, CONTROL_HANDLED);
          }
        } else if (message.kind === 'stopped') {
          reader.pidReleased = message.releasedPid;
        }
      });
      worker.on('error', (error) => {
        if (!settled) {
          settled = true;
          reject(error);
        } else reader.emit('error', error);
      });
      worker.on('exit', () => {
        reader.exited = true;
        if (!settled) {
          settled = true;
          reject(new Error('the audit reader worker exited before its socket was ready'));
        }
        reader.emit('close');
      });
    });
  }

  private takeBatch(message: Extract<ReaderWorkerMessage, { kind: 'batch' }>): void {
    this.counters.overruns += message.overruns;
    this.counters.malformed += message.malformed;
    if (message.types.length === 0) return;
    const records: AuditMessage[] = new Array(message.types.length);
    for (let i = 0; i < message.types.length; i++) records[i] = { type: message.types[i]!, text: message.texts[i]! };
    this.counters.records += records.length;
    this.counters.batches++;
    this.emit('batch', records);
  }

  stats(): AuditReaderStats {
    return { ...this.counters, pauses: Atomics.load(this.control, CONTROL_PAUSES) };
  }

  get running(): boolean {
    return !this.exited && this.stopping === undefined;
  }

  /** Asks the worker to stop without waiting (for synchronous shutdown paths). */
  requestStop(): void {
    Atomics.store(this.control, CONTROL_STOP, 1);
    Atomics.notify(this.control, CONTROL_HANDLED); // wake a paused worker
  }

  /** Stops the worker and waits for it; in unicast mode the worker releases the audit pid first. Resolves to whether it did. */
  stop(): Promise<boolean> {
    if (!this.stopping) {
      this.stopping = new Promise((resolve) => {
        if (this.exited) return resolve(this.pidReleased);
        this.worker.once('exit', () => resolve(this.pidReleased));
        this.requestStop();
      });
    }
    return this.stopping;
  }
}
