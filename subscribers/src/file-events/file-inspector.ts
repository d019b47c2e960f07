/**
 * Looks at changed files off the event loop: stat plus, when asked, MD5/SHA1/SHA256 in one pass bounded by
 * read_max. Requests are gathered and sent to worker threads (file-inspector-worker.ts) as ONE compact message per
 * batch. Batching adapts to load: a worker holds at most IN_FLIGHT batches (up to BATCH_MAX requests each; two, so
 * it never waits for a busy main thread between batches); while every worker is full, requests gather and leave as
 * soon as one answers. Idle → one event-loop turn of delay; bursting → few large messages. A batch is the paths joined by NUL (a path never contains one)
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

/** One batch sent to a worker. */
export interface InspectBatch {
  id: number;
  /** Path bytes (latin1 strings) joined by '\0'. */
  paths: string;
  /** Per request: 1 = stat and hash, 0 = stat only. */
  hash: Uint8Array;
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
const BATCH_MAX = 256;
/** Batches a worker may hold at once. */
const IN_FLIGHT = 2;

type Resolve = (result: InspectResult) => void;

const GONE: InspectResult = Object.freeze({ stat: null, md5: '', sha1: '', sha256: '', hashed: -1 }) as InspectResult;

/** Default worker count: two where there are two cores (hashing a burst is the slow stage), else one. */
export function defaultInspectorWorkers(): number {
  return Math.min(2, Math.max(1, availableParallelism()));
}

export class FileInspector {
  private workers: Worker[] = [];
  /** One entry per free batch slot of a worker (IN_FLIGHT per worker when all are idle). */
  private idle: Worker[] = [];
  private nextBatchId = 1;
  /** Batches sent and not answered yet: batch id → the resolvers of its requests, in order. */
  private readonly waiting = new Map<number, Resolve[]>();
  private paths: string[] = [];
  private hashFlags: number[] = [];
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
      this.paths.push(pathBytes);
      this.hashFlags.push(hash ? 1 : 0);
      this.resolvers.push(resolve);
      if (this.resolvers.length >= BATCH_MAX && this.idle.length > 0) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
    });
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    this.idle = [];
    await Promise.all(workers.map((w) => w.terminate()));
    this.failAll();
  }

  private failAll(): void {
    const waiting = [...this.waiting.values(), this.resolvers];
    this.waiting.clear();
    this.paths = [];
    this.hashFlags = [];
    this.resolvers = [];
    for (const resolvers of waiting) for (const resolve of resolvers) resolve(GONE);
  }

  /** Hand gathered requests (BATCH_MAX per message) to idle workers; the rest waits for the next answer. */
  private flush(): void {
    while (this.resolvers.length > 0 && this.idle.length > 0) {
      const worker = this.idle.pop()!;
      const take = Math.min(BATCH_MAX, this.resolvers.length);
      const id = this.nextBatchId++;
      const all = take === this.resolvers.length;
      const paths = all ? this.paths : this.paths.splice(0, take);
      const flags = all ? this.hashFlags : this.hashFlags.splice(0, take);
      const resolvers = all ? this.resolvers : this.resolvers.splice(0, take);
      if (all) {
        this.paths = [];
        this.hashFlags = [];
        this.resolvers = [];
      }
      const batch: InspectBatch = { id, paths: paths.join('\0'), hash: Uint8Array.from(flags) };
      this.waiting.set(id, resolvers);
      worker.postMessage(batch, [batch.hash.buffer as ArrayBuffer]);
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
      worker.on('message', (answer: InspectBatchResult) => {
        this.idle.push(worker);
        this.settle(answer);
        this.flush();
      });
      worker.on('error', () => {
        // A crashed worker fails its requests; the next request starts fresh workers.
        const others = this.workers.filter((w) => w !== worker);
        this.workers = [];
        this.idle = [];
        for (const other of others) void other.terminate();
        this.failAll();
      });
      worker.unref();
      this.workers.push(worker);
    }
    // Slots interleaved, so consecutive batches go to different workers.
    this.idle = [];
    for (let slot = 0; slot < IN_FLIGHT; slot++) this.idle.push(...this.workers);
  }
}
