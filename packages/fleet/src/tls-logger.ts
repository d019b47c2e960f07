/**
 * The `tls` logger plugin (osquery's TLSLoggerPlugin with its buffered outbox). Result lines (and status lines, unless
 * --tls_disable_status_log) wait in the database until the server answered 200. The outbox is a key-value store of
 * the event database (`kv:tls_logger`, LMDB): one entry per chunk, keyed by a zero-padded sequence number.
 *
 * - flush() (the scheduler calls it before it commits anything) stores what was logged since the last flush as
 *   chunks — runs of same-type lines, at most --logger_tls_max_lines lines and MAX_CHUNK_BYTES each, the lines joined
 *   by '\n' (a JSON line never holds a raw newline) — committed when it returns, so a line is durable before its run
 *   counts as logged;
 * - every --logger_tls_period seconds the oldest chunks go to --logger_tls_endpoint, one log_type and at most
 *   --logger_tls_max_lines lines per request; a chunk is deleted only after the server answered 200;
 * - at most --buffered_log_max lines wait: past it the oldest unsent lines are dropped (whole chunks, or the head of
 *   one through a durable `skip` record) and counted, durably. The cap is enforced when lines are flushed and after
 *   each send, not while a send is in flight (what one request's time adds may exceed it until that send ends).
 *
 * A server that is down, a restart or a kill -9 loses nothing. The one window: the server answered 200 and quarryd
 * died before the chunk's deletion (microseconds later): that request's lines are sent again at the next start.
 * osquery has the same window.
 */
import type { KeyValueStore } from '@quarry/buffers';
import type { FleetLog, RemoteSession } from './remote-session.js';

/** The key-value store of the outbox (in the event database). */
export const TLS_OUTBOX_STORE = 'tls_logger';
const DROPPED_KEY = 'tls_logger_dropped';
/** `<key>:<lines>`: the first <lines> lines of chunk <key> were dropped by the cap. */
const SKIP_KEY = 'tls_logger_skip';
/** A chunk (and so a request) holds at most this many bytes of lines, whatever --logger_tls_max_lines allows. */
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * Requests in flight at once while catching up: the server parses one batch while the next travels. Each chunk is
 * deleted when its own request got its 200, so a failure of one request never loses or repeats the other's lines
 * (the server may receive two batches out of order).
 */
export const SEND_CONCURRENCY = 2;

export interface TlsLoggerOptions {
  session: RemoteSession;
  /** The outbox: `kv:tls_logger` of the event database. */
  outbox: KeyValueStore;
  /** Where the drop count and the partial-chunk skip are kept (`kv:fleet`). */
  state: KeyValueStore;
  log: FleetLog;
  endpoint: string;
  periodSeconds: number;
  maxLines: number;
  maxLineSize: number;
  compress: boolean;
  backoffMaxSeconds: number;
  /** --buffered_log_max: lines that may wait (0 = no limit). */
  bufferedMax: number;
  /** False with --tls_disable_status_log. */
  statusLines: boolean;
}

export interface TlsLoggerCounters {
  sentLines: number;
  sentRequests: number;
  failedRequests: number;
  /** Lines longer than --logger_tls_max_linesize, never buffered. */
  oversizedLines: number;
  /** Lines waiting in the outbox. */
  buffered: number;
  /** Lines the --buffered_log_max cap dropped before they were sent (kept across restarts). */
  dropped: number;
}

type LogType = 'result' | 'status';

/** A stored chunk, described by its key: `<16-digit sequence>.<r|s>.<lines>`. */
interface Chunk {
  key: string;
  logType: LogType;
  lines: number;
}

const CHUNK_KEY = /^(\d{16})\.([rs])\.(\d+)$/;

function chunkKey(sequence: number, logType: LogType, lines: number): string {
  return `${String(sequence).padStart(16, '0')}.${logType === 'result' ? 'r' : 's'}.${lines}`;
}

export class TlsLogger {
  readonly name = 'tls';
  private pending: { logType: LogType; line: string }[] = [];
  /** The unsent chunks, oldest first (the outbox's keys, kept in memory). */
  private chunks: Chunk[] = [];
  private nextSequence = 1;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private failures = 0;
  private nextAttempt = 0;
  private lastError = '';
  private closed = false;
  /** Lines in the unsent chunks, minus the skipped head of the first. */
  private unsent = 0;
  private readonly counters = { sentLines: 0, sentRequests: 0, failedRequests: 0, oversizedLines: 0 };
  private readonly maxLines: number;

  constructor(private readonly options: TlsLoggerOptions) {
    this.maxLines = Math.max(1, options.maxLines);
    for (const key of options.outbox.keys().sort()) {
      const match = CHUNK_KEY.exec(key);
      if (!match) continue;
      this.chunks.push({ key, logType: match[2] === 'r' ? 'result' : 'status', lines: Number(match[3]) });
      this.unsent += Number(match[3]);
      this.nextSequence = Number(match[1]) + 1;
    }
    this.unsent -= this.skipped(this.chunks[0]);
  }

  logString(line: string): void {
    this.add('result', line);
  }

  /** Snapshots are `result` lines too (osquery's tls logger does not tell them apart). */
  logSnapshot(line: string): void {
    this.add('result', line);
  }

  /** A status log line (osquery's status JSON object), unless --tls_disable_status_log. */
  logStatus(line: string): void {
    if (!this.options.statusLines || this.closed) return;
    this.add('status', line);
  }

  /**
   * Lines must be JSON objects (as the scheduler and the status log make them): they are sent as objects in `data`,
   * spliced in without being parsed again.
   */
  private add(logType: LogType, line: string): void {
    if (!line.startsWith('{')) line = JSON.stringify({ line });
    if (Buffer.byteLength(line) > this.options.maxLineSize) {
      this.counters.oversizedLines++;
      if (logType === 'result') this.options.log.warning(`tls logger: a ${Buffer.byteLength(line)}-byte ${logType} line is longer than --logger_tls_max_linesize (${this.options.maxLineSize}); it is not sent`);
      return;
    }
    this.pending.push({ logType, line });
  }

  /** Makes the lines logged so far durable in the outbox (the scheduler calls this before it commits). */
  flush(): void {
    if (this.pending.length === 0) return;
    let lines = this.pending;
    const cap = this.options.bufferedMax;
    if (cap > 0 && lines.length > cap) {
      this.addDropped(lines.length - cap);
      lines = lines.slice(lines.length - cap);
    }
    if (!this.sending) this.enforceCap(lines.length);
    try {
      for (let start = 0; start < lines.length; ) {
        const logType = lines[start]!.logType;
        let bytes = lines[start]!.line.length;
        let end = start + 1;
        while (end < lines.length && end - start < this.maxLines && lines[end]!.logType === logType && bytes + lines[end]!.line.length < MAX_CHUNK_BYTES) {
          bytes += lines[end]!.line.length + 1;
          end++;
        }
        const chunk = { key: chunkKey(this.nextSequence, logType, end - start), logType, lines: end - start };
        this.options.outbox.putSync(chunk.key, lines.slice(start, end).map((l) => l.line).join('\n'));
        this.nextSequence++;
        this.chunks.push(chunk);
        this.unsent += chunk.lines;
        start = end;
      }
    } catch (error) {
      // the chunks stored so far stay; the rest of this flush is dropped with the error (the run is not committed)
      this.pending = [];
      throw new Error(`the tls logger's outbox cannot be written: ${(error as Error).message}`);
    }
    this.pending = [];
  }

  /** Drops the oldest unsent lines until `incoming` more fit under --buffered_log_max. */
  private enforceCap(incoming = 0): void {
    const cap = this.options.bufferedMax;
    let excess = cap > 0 ? this.unsent + incoming - cap : 0;
    while (excess > 0 && this.chunks.length > 0) {
      const chunk = this.chunks[0]!;
      const already = this.skipped(chunk);
      const left = chunk.lines - already;
      if (excess >= left) {
        void this.options.outbox.delete(chunk.key);
        this.chunks.shift();
        this.addDropped(left);
        this.unsent -= left;
        excess -= left;
      } else {
        this.options.state.putSync(SKIP_KEY, `${chunk.key}:${already + excess}`);
        this.addDropped(excess);
        this.unsent -= excess;
        excess = 0;
      }
    }
  }

  /** Lines of `chunk` already dropped by the cap (its skip record). */
  private skipped(chunk: Chunk | undefined): number {
    if (!chunk) return 0;
    const record = this.options.state.get(SKIP_KEY) ?? '';
    const colon = record.lastIndexOf(':');
    return colon > 0 && record.slice(0, colon) === chunk.key ? Number(record.slice(colon + 1)) : 0;
  }

  private addDropped(lines: number): void {
    this.options.state.putSync(DROPPED_KEY, String(this.dropped() + lines));
  }

  private dropped(): number {
    return Number(this.options.state.get(DROPPED_KEY) ?? 0);
  }

  start(): void {
    const period = Math.max(1, this.options.periodSeconds) * 1000;
    this.timer = setInterval(() => void this.sendNow(), period);
    this.timer.unref();
  }

  /** Sends what waits in the outbox (one send at a time); failures back off up to --logger_tls_backoff_max. */
  sendNow(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.sending ??= this.drain().finally(() => (this.sending = undefined));
    return this.sending;
  }

  /** The next request: consecutive chunks of one log_type, at most --logger_tls_max_lines lines (at least one chunk). */
  private nextBatch(offset: number): { logType: LogType; data: string; lines: number; chunks: Chunk[] } | undefined {
    const first = this.chunks[offset];
    if (!first) return undefined;
    const parts: string[] = [];
    const taken: Chunk[] = [];
    let lines = 0;
    let bytes = 0;
    for (let i = offset; i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      if (chunk.logType !== first.logType) break;
      const skipped = this.skipped(chunk);
      const count = chunk.lines - skipped;
      if (taken.length > 0 && lines + count > this.maxLines) break;
      const text = this.options.outbox.get(chunk.key) ?? '';
      if (taken.length > 0 && bytes + text.length > MAX_CHUNK_BYTES) break;
      const part = skipped > 0 ? text.split('\n').slice(skipped).join(',') : text.replaceAll('\n', ',');
      if (part !== '') parts.push(part);
      taken.push(chunk);
      lines += count;
      bytes += text.length;
    }
    return { logType: first.logType, data: `[${parts.join(',')}]`, lines, chunks: taken };
  }

  private async drain(): Promise<void> {
    try {
      this.flush();
    } catch (error) {
      this.options.log.error((error as Error).message);
    }
    if (Date.now() < this.nextAttempt) return;
    for (;;) {
      if (this.closed) return;
      const batches: NonNullable<ReturnType<TlsLogger['nextBatch']>>[] = [];
      for (let offset = 0; batches.length < SEND_CONCURRENCY; ) {
        const batch = this.nextBatch(offset);
        if (!batch) break;
        batches.push(batch);
        offset += batch.chunks.length;
      }
      if (batches.length === 0) return;
      const outcomes = await Promise.allSettled(
        batches.map((batch) => this.options.session.request(this.options.endpoint, { log_type: batch.logType }, 1, { compress: this.options.compress, rawFields: { data: batch.data } })),
      );
      const sent = new Set<string>();
      let failure: unknown;
      outcomes.forEach((outcome, index) => {
        const batch = batches[index]!;
        if (outcome.status === 'rejected') {
          failure ??= outcome.reason;
          return;
        }
        for (const chunk of batch.chunks) {
          void this.options.outbox.delete(chunk.key);
          sent.add(chunk.key);
        }
        this.unsent -= batch.lines;
        this.counters.sentLines += batch.lines;
        this.counters.sentRequests++;
      });
      if (sent.size > 0) this.chunks = this.chunks.filter((chunk) => !sent.has(chunk.key));
      if (failure !== undefined) {
        this.failed(failure);
        this.enforceCap();
        return;
      }
      if (this.failures > 0) this.options.log.info(`tls logger: ${this.options.endpoint} accepts lines again after ${this.failures} failed attempt(s)`);
      this.failures = 0;
      this.nextAttempt = 0;
      this.lastError = '';
      this.enforceCap();
    }
  }

  private failed(error: unknown): void {
    this.failures++;
    this.counters.failedRequests++;
    const message = (error as Error)?.message ?? String(error);
    const backoff = Math.min(Math.max(1, this.options.periodSeconds) * 2 ** Math.min(this.failures - 1, 16), Math.max(1, this.options.backoffMaxSeconds));
    this.nextAttempt = Date.now() + backoff * 1000;
    // One line per distinct failure, not one per period: an hour-long outage is a few lines, not a thousand.
    if (message !== this.lastError) {
      this.options.log.warning(`tls logger: sending to ${this.options.endpoint} failed: ${message}; ${this.unsent} line(s) wait in the outbox, next attempt in ${backoff} s`);
      this.lastError = message;
    }
  }

  /** True while the last send failed (until one succeeds). */
  failing(): boolean {
    return this.failures > 0;
  }

  stats(): TlsLoggerCounters {
    return { ...this.counters, buffered: this.unsent + this.pending.length, dropped: this.dropped() };
  }

  /** Makes the pending lines durable and stops sending; what was not sent waits for the next start. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    try {
      this.flush();
    } catch (error) {
      this.options.log.error((error as Error).message);
    }
    this.closed = true;
    await this.sending;
  }
}
