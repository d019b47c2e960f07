/**
 * The syslog publisher (osquery type `syslog`): reads the lines rsyslog writes into a named pipe with osquery's CSV
 * template (see syslog-csv.ts) and fires one context per line to the syslog subscribers.
 *
 * - setUp: needs --enable_syslog=true ("Publisher disabled via configuration" otherwise, as osquery). Creates the FIFO
 *   at --syslog_pipe_path when it is missing (mode 0600; missing parent directories 0700). Something that is not a
 *   FIFO at that path is an error in osquery_events, never a crash. The pipe is opened O_RDWR|O_NONBLOCK: the open
 *   never waits for a writer, and rsyslog closing and reopening its end is no end-of-file. An exclusive flock keeps a
 *   second reader (another quarryd/quarryi, or osqueryd) from taking lines out of the same pipe.
 * - Reading goes through a net.Socket over the descriptor (libuv polls it): Node's event loop never blocks on it.
 * - Rate limit: osquery reads at most --syslog_rate_limit lines per run of its publisher loop, with ~200 ms between
 *   runs. Here an iteration is a 200 ms window: past the limit the socket pauses until the next window, so lines wait
 *   in the pipe (rsyslog queues them when it is full) and none are dropped. 0 means no limit (osquery would read
 *   nothing at all).
 * - A malformed line is counted, dropped, and warned about at most once a minute (osquery stops its publisher after
 *   ten errors in a row; Quarry keeps reading). The count is in osquery_events.status.
 */
import { chmodSync, closeSync, constants, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import { Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import { EventPublisher, MalformedInputLog, flagBoolean, flagInteger, flagValue, type FlagSource } from '@quarry/events';
import { lockExclusive, makeFifo } from './fifo-binding.js';
import { parseSyslogCsvLine } from './syslog-csv.js';
import { SYSLOG_PUBLISHER_TYPE, type SyslogEventContext, type SyslogSubscription } from './syslog-event-context.js';

export const SYSLOG_PIPE_MODE = 0o600;
export const SYSLOG_ITERATION_MS = 200;
/** A line longer than this (no newline within it) is dropped as malformed. */
export const SYSLOG_MAX_LINE_BYTES = 1024 * 1024;
const WARN_INTERVAL_MS = 60_000;

export interface SyslogPublisherOptions {
  flags: FlagSource;
  /** Length of one rate-limit iteration in ms (default 200, osquery's pause between runs). */
  iterationMs?: number;
  /** Minimum time between two malformed-line warnings in ms (default 60000). */
  warnIntervalMs?: number;
}

export interface SyslogPublisherCounters {
  /** Lines read from the pipe (good and malformed). */
  lines: number;
  /** Lines dropped as malformed. */
  malformed: number;
  /** Why the last malformed line was dropped ('' when none was). */
  lastMalformedReason: string;
  /** Iterations that hit --syslog_rate_limit (reading paused until the next one). */
  rateLimited: number;
}

function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a FIFO';
}

/** mkdir -p with mode 0700 for every directory this call creates (existing ones keep their mode). */
function makePrivateParents(path: string): void {
  const first = mkdirSync(path, { recursive: true, mode: 0o700 });
  if (first === undefined) return;
  for (let current = path; ; current = dirname(current)) {
    chmodSync(current, 0o700);
    if (current === first || dirname(current) === current) break;
  }
}

export class SyslogPublisher extends EventPublisher<SyslogSubscription, SyslogEventContext> {
  readonly type = SYSLOG_PUBLISHER_TYPE;
  private readonly enabled: boolean;
  private readonly pipePath: string;
  private readonly rateLimit: number;
  private readonly iterationMs: number;
  private fd: number | undefined;
  private socket: Socket | undefined;
  private partial = '';
  private readonly queue: string[] = [];
  private queueHead = 0;
  private readInIteration = 0;
  private iterationTimer: NodeJS.Timeout | undefined;
  private readonly malformedInput: MalformedInputLog;
  private createdPipe = false;
  private readError = '';
  private readonly count: SyslogPublisherCounters = { lines: 0, malformed: 0, lastMalformedReason: '', rateLimited: 0 };

  constructor(options: SyslogPublisherOptions) {
    super();
    this.enabled = flagBoolean(options.flags, 'enable_syslog', false);
    const path = flagValue(options.flags, 'syslog_pipe_path');
    this.pipePath = typeof path === 'string' && path !== '' ? resolve(path) : '/var/osquery/syslog_pipe';
    this.rateLimit = flagInteger(options.flags, 'syslog_rate_limit', 100);
    this.iterationMs = options.iterationMs ?? SYSLOG_ITERATION_MS;
    this.malformedInput = new MalformedInputLog(options.warnIntervalMs ?? WARN_INTERVAL_MS);
  }

  get path(): string {
    return this.pipePath;
  }

  counters(): SyslogPublisherCounters {
    return { ...this.count };
  }

  override async setUp(): Promise<void> {
    if (!this.enabled) throw new Error('Publisher disabled via configuration (--enable_syslog=false)');
    const path = this.pipePath;
    let stats: Stats | undefined;
    try {
      stats = statSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new Error(`cannot inspect --syslog_pipe_path ${path}: ${(error as Error).message}`);
      }
    }
    if (!stats) {
      try {
        makePrivateParents(dirname(path));
        makeFifo(path, SYSLOG_PIPE_MODE);
        chmodSync(path, SYSLOG_PIPE_MODE);
        this.createdPipe = true;
      } catch (error) {
        throw new Error(`cannot create the syslog pipe ${path}: ${(error as Error).message}; create it with mkfifo or choose another --syslog_pipe_path`);
      }
    } else if (!stats.isFIFO()) {
      throw new Error(`--syslog_pipe_path ${path} is ${kindOf(stats)}, not a FIFO (named pipe): remove it so Quarry can create the pipe, or choose another --syslog_pipe_path`);
    }
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    } catch (error) {
      throw new Error(`cannot open the syslog pipe ${path}: ${(error as Error).message}`);
    }
    let locked: boolean;
    try {
      locked = lockExclusive(fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    if (!locked) {
      closeSync(fd);
      throw new Error(`another process (quarryd, quarryi or osqueryd) is already reading the syslog pipe ${path}: stop it or choose another --syslog_pipe_path`);
    }
    this.fd = fd;
  }

  /** osquery_events.status: the pipe, lines read, malformed lines dropped and rate-limit pauses. */
  override get status(): string {
    return this.statusLine();
  }

  async start(): Promise<void> {
    if (this.fd === undefined) throw new Error('the syslog publisher was not set up');
    const socket = new Socket({ fd: this.fd, readable: true, writable: false });
    this.fd = undefined; // the socket owns (and closes) the descriptor now
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (error) => {
      this.readError = error.message;
      this.logger.error({ publisher: this.type, path: this.pipePath, err: error.message }, 'syslog pipe read failed');
    });
    this.iterationTimer = setInterval(() => this.nextIteration(), this.iterationMs);
    this.iterationTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.iterationTimer) clearInterval(this.iterationTimer);
    this.iterationTimer = undefined;
    this.socket?.destroy();
    this.socket = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private onData(chunk: string): void {
    let text = this.partial + chunk;
    let start = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      this.queue.push(text.slice(start, newline));
      start = newline + 1;
    }
    text = text.slice(start);
    if (Buffer.byteLength(text) > SYSLOG_MAX_LINE_BYTES) {
      this.count.lines++;
      this.malformed(`a line is longer than ${SYSLOG_MAX_LINE_BYTES} bytes without a newline`, text.slice(0, 200));
      text = '';
    }
    this.partial = text;
    this.drainQueue();
  }

  /** Handles queued lines within the iteration's quota; pauses the socket when the quota is used up. */
  private drainQueue(): void {
    while (this.queueHead < this.queue.length) {
      if (this.rateLimit > 0 && this.readInIteration >= this.rateLimit) {
        if (!this.socket?.isPaused()) {
          this.socket?.pause();
          this.count.rateLimited++;
        }
        break;
      }
      const line = this.queue[this.queueHead++]!;
      if (line === '') continue; // an empty line is no event (osquery skips it too)
      this.readInIteration++;
      this.handleLine(line);
    }
    if (this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
      if (this.socket?.isPaused()) this.socket.resume();
    }
  }

  private nextIteration(): void {
    this.countRefresh();
    this.readInIteration = 0;
    if (this.queueHead < this.queue.length) this.drainQueue();
  }

  private handleLine(line: string): void {
    this.count.lines++;
    const parsed = parseSyslogCsvLine(line);
    if (!parsed.ok) {
      this.malformed(parsed.reason, line);
      return;
    }
    this.fire({ fields: parsed.fields }, [...this.subscriptions.keys()]);
  }

  private malformed(reason: string, line: string): void {
    this.count.malformed++;
    this.count.lastMalformedReason = reason;
    const dropped = this.malformedInput.record(reason);
    if (dropped === undefined) return;
    this.logger.warn(
      { publisher: this.type, path: this.pipePath, malformed: this.count.malformed, sinceLastWarning: dropped, line: line.slice(0, 200) },
      `syslog pipe ${this.pipePath}: dropped ${dropped} malformed line(s) (${reason}); ` +
        'rsyslog must write osquery\'s OsqueryCsvFormat template (six quoted CSV fields) into this pipe',
    );
  }

  private statusLine(): string {
    const parts = [`${this.readError ? `reading failed (${this.readError})` : this.socket ? 'reading' : 'opened'} ${this.pipePath}${this.createdPipe ? ' (created by Quarry, mode 0600)' : ''}`];
    parts.push(`${this.count.lines} line(s)`);
    if (this.count.malformed > 0) parts.push(`${this.count.malformed} malformed line(s) dropped, last: ${this.count.lastMalformedReason}`);
    if (this.count.rateLimited > 0) parts.push(`--syslog_rate_limit=${this.rateLimit} reached in ${this.count.rateLimited} iteration(s)`);
    return parts.join('; ');
  }
}
