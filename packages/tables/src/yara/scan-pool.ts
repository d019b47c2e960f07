/**
 * YaraScanPool: scans files for yara_events off the event loop, on 1-2 worker threads (scan-worker.ts) that each
 * keep their own compiled rules (recompiled only when a rule file changes). Requests made in one event-loop turn
 * travel as one message, so a burst of changed files costs few messages; a large file holds up only its own worker.
 * It satisfies @quarry/subscribers' YaraFileScanner (the daemon and shell pass it to the yara_events subscriber).
 */
import { Worker } from 'node:worker_threads';

/** A signature group with its rule files. */
export interface YaraGroupRules {
  name: string;
  files: readonly string[];
}

export interface YaraFileScanResult {
  /** Comma-joined columns of every matching rule of every group ('' / 0 when nothing matched). */
  matches: string;
  count: number;
  strings: string;
  tags: string;
  /** Why the file was not scanned (gone, not a regular file, larger than the size flag, a rule problem). */
  problem?: string;
}

export interface ScanRequest {
  id: number;
  /** Path bytes as a latin1 string. */
  path: string;
  groups: YaraGroupRules[];
}

export interface ScanReply extends YaraFileScanResult {
  id: number;
}

export interface YaraScanPoolOptions {
  /** Worker threads (1 or 2; default 1). */
  workers?: number;
  /** Files larger than this are not scanned (--yara_max_file_size; 0 = no limit). */
  maxFileSize?: number;
  /** Fill `strings` (--enable_yara_string). */
  withStrings?: boolean;
}

const EMPTY: YaraFileScanResult = { matches: '', count: 0, strings: '', tags: '' };

export class YaraScanPool {
  private workers: Worker[] = [];
  private nextWorker = 0;
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: YaraFileScanResult) => void>();
  private batches: ScanRequest[][] = [];
  private flushScheduled = false;
  private readonly workerCount: number;

  constructor(private readonly options: YaraScanPoolOptions = {}) {
    this.workerCount = Math.min(2, Math.max(1, options.workers ?? 1));
  }

  /** Requests still waiting for a worker (the bench reads it). */
  get pending(): number {
    return this.waiting.size;
  }

  /**
   * Scans one file (path as latin1 bytes) with every group. Never rejects: problems come back in `problem`.
   * Requests of one path are always sent to the same worker, so a file's scans finish in order.
   */
  scanFile(pathBytes: string, groups: readonly YaraGroupRules[]): Promise<YaraFileScanResult> {
    this.ensureWorkers();
    const id = this.nextId++;
    return new Promise((resolve) => {
      // Keep the process alive only while scans are in flight.
      if (this.waiting.size === 0) for (const worker of this.workers) worker.ref();
      this.waiting.set(id, resolve);
      const slot = this.workerFor(pathBytes);
      const batch = this.batches[slot]!;
      batch.push({ id, path: pathBytes, groups: groups.map((g) => ({ name: g.name, files: [...g.files] })) });
      if (batch.length >= 256) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Compiles groups on a worker now (config time) so rule errors surface with file and line; '' when fine. */
  async check(groups: readonly YaraGroupRules[]): Promise<string> {
    const result = await this.scanFile(Buffer.from('/dev/null').toString('latin1'), groups);
    return result.problem?.startsWith('rules: ') ? result.problem.slice('rules: '.length) : '';
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
    this.failAll('the YARA scanner was stopped');
  }

  private workerFor(path: string): number {
    if (this.workerCount === 1) return 0;
    let hash = 0;
    for (let i = 0; i < path.length; i++) hash = (hash * 31 + path.charCodeAt(i)) | 0;
    return Math.abs(hash) % this.workerCount;
  }

  private flush(): void {
    this.flushScheduled = false;
    this.batches.forEach((batch, slot) => {
      if (batch.length === 0) return;
      this.batches[slot] = [];
      this.workers[slot]?.postMessage(batch);
    });
  }

  private failAll(problem: string): void {
    for (const resolve of this.waiting.values()) resolve({ ...EMPTY, problem });
    this.waiting.clear();
  }

  private ensureWorkers(): void {
    if (this.workers.length > 0) return;
    this.batches = [];
    for (let i = 0; i < this.workerCount; i++) {
      const worker = new Worker(new URL('./scan-worker.js', import.meta.url), {
        workerData: { maxFileSize: this.options.maxFileSize ?? 52428800, withStrings: this.options.withStrings ?? false },
      });
      worker.on('message', (replies: ScanReply[]) => {
        for (const { id, ...result } of replies) {
          const resolve = this.waiting.get(id);
          this.waiting.delete(id);
          resolve?.(result);
        }
        if (this.waiting.size === 0) for (const w of this.workers) w.unref();
      });
      worker.on('error', (error) => {
        // A crashed worker fails what is in flight; the next request starts fresh workers.
        this.failAll(`the YARA scan worker failed: ${error.message}`);
        void Promise.all(this.workers.map((w) => w.terminate()));
        this.workers = [];
      });
      worker.unref();
      this.workers.push(worker);
      this.batches.push([]);
    }
  }
}
