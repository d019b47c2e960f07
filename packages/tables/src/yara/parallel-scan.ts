/**
 * Parallel scans for the synchronous table generator: the query thread hands batches of (file, signature) to 1-2
 * worker threads (table-scan-worker.ts, each with its own compiled-rule cache) and blocks on an Atomics cell until
 * replies arrive, so a LIKE over thousands of files uses every core, as the `yara` command does, while rows still
 * come back in path order. The workers start on first use and are unref'd (they never keep a process alive).
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { RuleSource } from './libyara.js';
import type { MatchColumns } from './scan-row.js';

export interface ParallelScanItem {
  index: number;
  realPath: string;
  key: string;
  sources: RuleSource[];
  fingerprint?: string;
}

export type ParallelScanResult = { index: number; columns: MatchColumns } | { index: number; problem: string };

/** What the query thread sends a worker: one batch of one scan (`generation` tells scans apart). */
export interface ParallelScanBatch {
  generation: number;
  items: ParallelScanItem[];
  settings: ParallelScanSettings;
}

/** What a worker sends back: the batch's results, tagged with the scan they belong to. */
export interface ParallelScanReply {
  generation: number;
  results: ParallelScanResult[];
}

export interface ParallelScanSettings {
  withStrings: boolean;
  delayMs: number;
}

interface ScanWorker {
  worker: Worker;
  port: MessagePort;
  outstanding: number;
}

const BATCH = 16;
const IN_FLIGHT_PER_WORKER = 2;

export class ParallelScanner {
  private workers: ScanWorker[] = [];
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private broken = '';
  /** Increases with every scan; replies tagged with an older one belong to an abandoned scan and are dropped. */
  private generation = 0;

  constructor(private readonly count = Math.min(2, Math.max(1, availableParallelism()))) {}

  /** Why workers are not usable ('' when they are): the caller then scans inline. */
  get problem(): string {
    return this.broken;
  }

  /**
   * Scans every item; yields results in item order. Throws only if the workers die (the caller falls back).
   * A scan abandoned early (LIMIT, an error, a join that stops) leaves batches in flight: they stay counted in
   * `outstanding` until their replies arrive, and those replies carry the old generation, so the next scan drops
   * them instead of taking them for results of its own items (whose indexes start at 0 again).
   */
  *scan(items: readonly ParallelScanItem[], settings: ParallelScanSettings): Generator<ParallelScanResult> {
    this.start();
    const generation = ++this.generation;
    const done = new Map<number, ParallelScanResult>();
    let nextToSend = 0;
    let nextToYield = 0;
    while (nextToYield < items.length) {
      for (const w of this.workers) {
        while (w.outstanding < IN_FLIGHT_PER_WORKER && nextToSend < items.length) {
          const batch: ParallelScanBatch = { generation, items: items.slice(nextToSend, nextToSend + BATCH), settings };
          nextToSend += batch.items.length;
          w.outstanding++;
          w.worker.postMessage(batch);
        }
      }
      const seen = Atomics.load(this.signal, 0);
      let received = false;
      for (const w of this.workers) {
        for (let message = receiveMessageOnPort(w.port); message; message = receiveMessageOnPort(w.port)) {
          const reply = message.message as ParallelScanReply;
          w.outstanding--;
          received = true;
          if (reply.generation !== generation) continue;
          for (const result of reply.results) done.set(result.index, result);
        }
      }
      while (done.has(items[nextToYield]?.index ?? -1)) {
        const index = items[nextToYield]!.index;
        const result = done.get(index)!;
        done.delete(index);
        nextToYield++;
        yield result;
      }
      if (!received && nextToYield < items.length) {
        if (this.broken) throw new Error(this.broken);
        Atomics.wait(this.signal, 0, seen, 1000);
      }
    }
  }

  close(): void {
    for (const w of this.workers) void w.worker.terminate();
    this.workers = [];
  }

  private start(): void {
    if (this.workers.length > 0 && !this.broken) return;
    this.close();
    this.broken = '';
    for (let i = 0; i < this.count; i++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(new URL('./table-scan-worker.js', import.meta.url), {
        workerData: { signal: this.signal, port: port2 },
        transferList: [port2],
      });
      worker.on('error', (error) => {
        this.broken = `a YARA scan worker failed: ${error.message}`;
        Atomics.add(this.signal, 0, 1);
        Atomics.notify(this.signal, 0);
      });
      worker.unref();
      this.workers.push({ worker, port: port1, outstanding: 0 });
    }
  }
}
