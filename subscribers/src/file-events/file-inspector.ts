/**
 * Looks at changed files off the event loop: lstat plus, when asked, MD5/SHA1/SHA256 in one pass bounded by
 * read_max. Requests are batched per event-loop turn and handled by worker threads (file-inspector-worker.ts).
 * `hashed`: 1 hashed, 0 not attempted (too large, directory, symlink, not asked), -1 failed (gone, unreadable,
 * not a regular file).
 */
import { Worker } from 'node:worker_threads';

export interface InspectRequest {
  id: number;
  /** Path bytes as a latin1 string. */
  path: string;
  hash: boolean;
}

export interface FileStat {
  ino: number;
  uid: number;
  gid: number;
  mode: number;
  size: number;
  atime: number;
  mtime: number;
  ctime: number;
}

export interface InspectResult {
  id: number;
  /** null: the path was gone when we looked. */
  stat: FileStat | null;
  md5: string;
  sha1: string;
  sha256: string;
  hashed: 1 | 0 | -1;
}

export class FileInspector {
  private workers: Worker[] = [];
  private nextWorker = 0;
  private nextId = 1;
  private readonly waiting = new Map<number, (result: InspectResult) => void>();
  private batch: InspectRequest[] = [];
  private flushScheduled = false;

  constructor(
    private readonly readMax: number,
    private readonly workerCount = 1,
  ) {}

  inspect(pathBytes: string, hash: boolean): Promise<InspectResult> {
    this.ensureWorkers();
    const id = this.nextId++;
    return new Promise((resolve) => {
      if (this.waiting.size === 0) for (const w of this.workers) w.ref(); // pending work keeps the process alive
      this.waiting.set(id, resolve);
      this.batch.push({ id, path: pathBytes, hash });
      if (this.batch.length >= 256) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
    for (const [id, resolve] of this.waiting) resolve({ id, stat: null, md5: '', sha1: '', sha256: '', hashed: -1 });
    this.waiting.clear();
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    const worker = this.workers[this.nextWorker++ % this.workers.length]!;
    worker.postMessage(batch);
  }

  private ensureWorkers(): void {
    if (this.workers.length > 0) return;
    for (let i = 0; i < this.workerCount; i++) {
      const worker = new Worker(new URL('./file-inspector-worker.js', import.meta.url), { workerData: { readMax: this.readMax } });
      worker.on('message', (results: InspectResult[]) => {
        for (const result of results) {
          const resolve = this.waiting.get(result.id);
          this.waiting.delete(result.id);
          resolve?.(result);
        }
        if (this.waiting.size === 0) for (const w of this.workers) w.unref();
      });
      worker.on('error', () => {
        // A crashed worker fails its requests; the next request starts fresh workers.
        for (const [id, resolve] of this.waiting) resolve({ id, stat: null, md5: '', sha1: '', sha256: '', hashed: -1 });
        this.waiting.clear();
        this.workers = [];
      });
      worker.unref();
      this.workers.push(worker);
    }
  }
}
