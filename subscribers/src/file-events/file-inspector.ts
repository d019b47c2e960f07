/**
 * Looks at changed files off the event loop: stat plus, when asked, MD5/SHA1/SHA256 in one pass bounded by
 * read_max. Requests are gathered and sent to worker threads (file-inspector-worker.ts) as ONE compact message per
 * batch: what gathered during GATHER_MS, cut into BATCH_MAX pieces that go to the workers in turn.
 * (Holding requests back until a worker answers was tried: it ties the hashing rate to how often a busy main
 * thread gets round to the answers, and UPDATED latency tripled in the burst bench.) A batch is the paths joined by NUL (a path never contains one)
 * and a byte per request; results come back as one Float64Array of stat fields plus one string of hex digests.
 * Structured-cloning one string and one typed array costs far less than thousands of small objects each way.
 * `hashed`: 1 hashed, 0 not attempted (too large, directory, symlink, not asked), -1 failed (gone, unreadable,
 * not a regular file).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

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
  /** null: the path was gone when we looked. */
  stat: FileStat | null;
  md5: string;
  sha1: string;
  sha256: string;
  hashed: 1 | 0 | -1;
}

/**
 * One batch sent to a worker: its requests joined by '\0', each a flag character ('1' = stat and hash, '0' = stat
 * only) followed by the path bytes as a latin1 string. A single string: transferring even a small ArrayBuffer with
 * each message cost ~80 µs of the main thread per message (measured in the burst bench).
 */
export interface InspectBatch {
  id: number;
  requests: string;
}

/** A worker's answer to one batch. */
export interface InspectBatchResult {
  id: number;
  /** RESULT_FIELDS numbers per request, in request order (see the RESULT_* offsets). */
  numbers: Float64Array;
  /** For each request with hashed = 1, in order: md5 + sha1 + sha256 hex (DIGEST_CHARS characters). */
  digests: string;
}

export const RESULT_FIELDS = 10;
/** Offsets in a result's slice of `numbers`. */
export const RESULT_HASHED = 0;
export const RESULT_PRESENT = 1;
export const RESULT_INO = 2; // then uid, gid, mode, size, atime, mtime, ctime
export const DIGEST_CHARS = 32 + 40 + 64;
/** Requests per message; a burst is split so workers can share it and results flow back early. */
const BATCH_MAX = 512;
/**
 * Requests gather this long before they are sent (unless BATCH_MAX are waiting). One event-loop turn (setImmediate)
 * was tried: in a burst it meant thousands of small messages, and postMessage was the main thread's largest cost.
 */
const GATHER_MS = 2;


type Resolve = (result: InspectResult) => void;

const GONE: InspectResult = Object.freeze({ stat: null, md5: '', sha1: '', sha256: '', hashed: -1 }) as InspectResult;

/** Default worker count: two where there are two cores (hashing a burst is the slow stage), else one. */
export function defaultInspectorWorkers(): number {
  return Math.min(2, Math.max(1, availableParallelism()));
}

export class FileInspector {
  private workers: Worker[] = [];
  private nextWorker = 0;
  /** Resolves when the worker's script runs (or it failed). */
  private readonly online = new WeakMap<Worker, Promise<void>>();
  private nextBatchId = 1;
  /** Batches sent and not answered yet: batch id → the resolvers of its requests, in order. */
  private readonly waiting = new Map<number, Resolve[]>();
  /** Encoded requests waiting to be sent (flag character + path). */
  private requests: string[] = [];
  private resolvers: Resolve[] = [];
  private flushScheduled = false;

  constructor(
    private readonly readMax: number,
    private readonly workerCount = defaultInspectorWorkers(),
  ) {}

  inspect(pathBytes: string, hash: boolean): Promise<InspectResult> {
    this.ensureWorkers();
    return new Promise((resolve) => {
      if (this.waiting.size === 0 && this.resolvers.length === 0) for (const w of this.workers) w.ref(); // pending work keeps the process alive
      this.requests.push((hash ? '1' : '0') + pathBytes);
      this.resolvers.push(resolve);
      if (this.resolvers.length >= BATCH_MAX) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setTimeout(() => {
          this.flushScheduled = false;
          this.flush();
        }, GATHER_MS).unref();
      }
    });
  }

  /** Start the workers and wait until each has loaded (optional: inspect() starts them on demand). */
  async start(): Promise<void> {
    this.ensureWorkers();
    const workers = this.workers;
    for (const w of workers) w.ref(); // keep the process alive while they load
    await Promise.all(workers.map((worker) => this.online.get(worker)));
    if (this.waiting.size === 0 && this.resolvers.length === 0) for (const w of workers) w.unref();
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
    this.failAll();
  }

  private failAll(): void {
    const waiting = [...this.waiting.values(), this.resolvers];
    this.waiting.clear();
    this.requests = [];
    this.resolvers = [];
    for (const resolvers of waiting) for (const resolve of resolvers) resolve(GONE);
  }

  /** Hand the gathered requests to the workers, BATCH_MAX per message, in turn. */
  private flush(): void {
    while (this.resolvers.length > 0) {
      const worker = this.workers[this.nextWorker++ % this.workers.length]!;
      const take = Math.min(BATCH_MAX, this.resolvers.length);
      const id = this.nextBatchId++;
      const all = take === this.resolvers.length;
      const requests = all ? this.requests : this.requests.splice(0, take);
      const resolvers = all ? this.resolvers : this.resolvers.splice(0, take);
      if (all) {
        this.requests = [];
        this.resolvers = [];
      }
      const batch: InspectBatch = { id, requests: requests.join('\0') };
      this.waiting.set(id, resolvers);
      worker.postMessage(batch);
    }
  }

  private settle(answer: InspectBatchResult): void {
    const resolvers = this.waiting.get(answer.id);
    if (!resolvers) return;
    this.waiting.delete(answer.id);
    const { numbers, digests } = answer;
    let digestAt = 0;
    for (let i = 0; i < resolvers.length; i++) {
      const at = i * RESULT_FIELDS;
      const hashed = numbers[at + RESULT_HASHED] as 1 | 0 | -1;
      let stat: FileStat | null = null;
      if (numbers[at + RESULT_PRESENT] === 1) {
        const s = at + RESULT_INO;
        stat = {
          ino: numbers[s]!,
          uid: numbers[s + 1]!,
          gid: numbers[s + 2]!,
          mode: numbers[s + 3]!,
          size: numbers[s + 4]!,
          atime: numbers[s + 5]!,
          mtime: numbers[s + 6]!,
          ctime: numbers[s + 7]!,
        };
      }
      let md5 = '';
      let sha1 = '';
      let sha256 = '';
      if (hashed === 1) {
        md5 = digests.slice(digestAt, digestAt + 32);
        sha1 = digests.slice(digestAt + 32, digestAt + 72);
        sha256 = digests.slice(digestAt + 72, digestAt + DIGEST_CHARS);
        digestAt += DIGEST_CHARS;
      }
      resolvers[i]!({ stat, md5, sha1, sha256, hashed });
    }
    if (this.waiting.size === 0 && this.resolvers.length === 0) for (const w of this.workers) w.unref();
  }

  private ensureWorkers(): void {
    if (this.workers.length > 0) return;
    for (let i = 0; i < this.workerCount; i++) {
      const worker = new Worker(new URL('./file-inspector-worker.js', import.meta.url), {
        workerData: { readMax: this.readMax },
        // The worker keeps little on its heap (one read buffer, one batch): a small young generation keeps its RSS low.
        resourceLimits: { maxYoungGenerationSizeMb: 8 },
      });
      this.online.set(
        worker,
        new Promise((resolve) => {
          worker.once('online', resolve);
          worker.once('error', () => resolve());
          worker.once('exit', () => resolve());
        }),
      );
      worker.on('message', (answer: InspectBatchResult) => this.settle(answer));
      // A worker that crashed or exited (with or without an error) fails the requests in flight, which would
      // otherwise wait for ever and stall file_events; the next request starts fresh workers.
      const lost = (): void => {
        if (!this.workers.includes(worker)) return; // closing, or already handled
        const others = this.workers.filter((w) => w !== worker);
        this.workers = [];
        for (const other of others) void other.terminate();
        this.failAll();
      };
      worker.on('error', lost);
      worker.on('exit', lost);
      worker.unref();
      this.workers.push(worker);
    }
  }
}
