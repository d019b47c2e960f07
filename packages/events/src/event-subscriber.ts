/**
 * EventSubscriber: declares one `_events` table, subscribes to one publisher type from config, maps each event
 * context to rows and appends them to its ring in batches. Rows keep the order their contexts arrived in, even when
 * mapping is asynchronous (hashing): a batch holds only the finished prefix of the queue.
 */
import type { ColumnDefinition, TableDefinition } from '@quarry/sql';
import type { EventContext, EventLogger, EventRowValues, EventSink, EventsConfig, EventerState } from './types.js';
import { silentLogger } from './types.js';

export interface SubscriberBatching {
  /** Append at most this many rows per ring transaction. */
  maxRows: number;
  /** Wait at most this long (ms) after the first pending row before appending. */
  maxDelayMs: number;
  /** Contexts waiting to become rows; beyond this, new ones are dropped and counted (bounded memory). */
  maxPending: number;
}

interface PendingRows {
  done: boolean;
  rows: EventRowValues[];
}

/** Placeholder for a queue slot whose rows were handed to the ring (lets them be collected before compaction). */
const STORED: PendingRows = Object.freeze({ done: true, rows: [] }) as PendingRows;

export abstract class EventSubscriber<Subscription, Ctx extends EventContext, Ring extends EventSink = EventSink> {
  /** The SQL table name; must end in `_events`. */
  abstract readonly name: string;
  /** The publisher type this subscriber subscribes to. */
  abstract readonly publisherType: string;
  abstract readonly description: string;
  /** osquery's columns, including `time` [additional] and `eid` [hidden]. */
  abstract readonly columns: readonly ColumnDefinition[];

  state: EventerState = 'none';
  /** Why the subscriber is not running ('paused: …', 'failed: …'); unused while running. Set through setState. */
  private reason = 'not started';
  /** True while the last configure was refused: the next configure retries it. */
  private configRefused = false;
  private lastAppendError = '';
  protected logger: EventLogger = silentLogger;
  protected ring: Ring | undefined;
  protected batching: SubscriberBatching = { maxRows: 10000, maxDelayMs: 20, maxPending: 100_000 };
  /** FIFO of contexts being turned into rows: entries before `head` are stored (compacted now and then). */
  private queue: PendingRows[] = [];
  private head = 0;
  /** End of the finished prefix of the queue ([head, readyEnd) are done) and the rows it holds. */
  private readyEnd = 0;
  private readyRows = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private stored = 0;
  private droppedOverload = 0;
  private subscriptionTotal = 0;

  /** Contexts dropped because too many were waiting (overload); shown in the status text. */
  get eventsDropped(): number {
    return this.droppedOverload;
  }

  /** Runtime bookkeeping: the state and, when not running, why. */
  setState(state: EventerState, reason = ''): void {
    this.state = state;
    this.reason = reason;
  }

  /** Runtime bookkeeping: the config was refused (state failed) or accepted again. */
  markConfigRefused(refused: boolean): void {
    this.configRefused = refused;
  }
  get configWasRefused(): boolean {
    return this.configRefused;
  }

  /** State in words for osquery_events.status, built from the state and the counters. */
  get statusText(): string {
    if (this.state !== 'running') return this.reason;
    const parts = [this.ring ? 'running' : 'running, but no event store was given: rows are not kept'];
    const detail = this.statusDetail();
    if (detail) parts.push(detail);
    if (this.droppedOverload > 0) {
      parts.push(`${this.droppedOverload} event(s) dropped: more than ${this.batching.maxPending} waiting to be stored`);
    }
    if (this.lastAppendError) parts.push(`append failed: ${this.lastAppendError}`);
    return parts.join('; ');
  }

  /** Subscriber-specific words added to the running status (e.g. scan counters); '' for none. */
  protected statusDetail(): string {
    return '';
  }

  /** Rows this process appended (osquery_events.events for a subscriber). */
  get eventsStored(): number {
    return this.stored;
  }
  get subscriptionCount(): number {
    return this.subscriptionTotal;
  }

  /** Runtime wiring: the logger and the ring (absent when no store was given). */
  attach(logger: EventLogger, ring: Ring | undefined): void {
    this.logger = logger;
    this.ring = ring;
  }

  /** One-time preparation when events are enabled and the subscriber is not disabled. Throw to fail. */
  async init(): Promise<void> {}

  /** Subscriptions for the current config. Throw EventsConfigError for a config the user must fix. */
  abstract configure(config: EventsConfig): Subscription[] | Promise<Subscription[]>;

  /** Map one context to rows (zero, one or more). May be async (hashing). Must not throw for OS races. */
  protected abstract toRows(ctx: Ctx): EventRowValues[] | Promise<EventRowValues[]>;

  /** The `_events` table over a ring (the generator comes from buffers' eventTableGenerator). */
  abstract table(ring: Ring | undefined): TableDefinition;

  /** Record how many subscriptions configure produced (runtime bookkeeping). */
  noteSubscriptions(count: number): void {
    this.subscriptionTotal = count;
  }

  /** Called by the runtime for each context the publisher fired for this subscriber. */
  accept(ctx: Ctx): void {
    if (this.state !== 'running') return;
    if (this.queue.length - this.head >= this.batching.maxPending) {
      this.droppedOverload++;
      if (this.droppedOverload === 1 || this.droppedOverload % 10_000 === 0) {
        this.logger.warn({ subscriber: this.name, dropped: this.droppedOverload }, this.statusText);
      }
      return;
    }
    const entry: PendingRows = { done: false, rows: [] };
    this.queue.push(entry);
    const finish = (rows: EventRowValues[]): void => {
      entry.rows = rows;
      entry.done = true;
      this.advanceReady();
      this.scheduleFlush();
    };
    try {
      const result = this.toRows(ctx);
      if (Array.isArray(result)) finish(result);
      else
        result.then(finish, (error: unknown) => {
          this.logger.error({ subscriber: this.name, err: String(error) }, 'event could not be turned into a row');
          finish([]);
        });
    } catch (error) {
      this.logger.error({ subscriber: this.name, err: String(error) }, 'event could not be turned into a row');
      finish([]);
    }
  }

  /** Extend the finished prefix (amortised O(1) per entry: each entry is passed once). */
  private advanceReady(): void {
    const queue = this.queue;
    while (this.readyEnd < queue.length && queue[this.readyEnd]!.done) {
      this.readyRows += queue[this.readyEnd]!.rows.length;
      this.readyEnd++;
    }
  }

  private scheduleFlush(): void {
    if (this.readyRows >= this.batching.maxRows) {
      this.flushNow();
      return;
    }
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flushNow();
    }, this.batching.maxDelayMs);
  }

  private flushNow(): void {
    this.flushing = this.flushing.then(() => this.appendReady());
  }

  /** Take up to maxRows rows from the finished prefix, in order. */
  private takeReady(): EventRowValues[] {
    const batch: EventRowValues[] = [];
    const queue = this.queue;
    while (this.head < this.readyEnd && batch.length < this.batching.maxRows) {
      const entry = queue[this.head]!;
      for (const row of entry.rows) batch.push(row);
      this.readyRows -= entry.rows.length;
      queue[this.head] = STORED;
      this.head++;
    }
    if (this.head >= 4096 && this.head * 2 >= queue.length) {
      this.queue = queue.slice(this.head);
      this.readyEnd -= this.head;
      this.head = 0;
    }
    return batch;
  }

  private async appendReady(): Promise<void> {
    while (this.head < this.readyEnd) {
      const batch = this.takeReady();
      if (batch.length === 0) continue;
      if (!this.ring) continue;
      try {
        await this.ring.append(batch);
        this.stored += batch.length;
        this.lastAppendError = '';
      } catch (error) {
        this.lastAppendError = String(error);
        // A storage outage (disk full, read-only) is reported by the store once when it begins and once when it
        // ends, and its rows are counted as dropped by reason: no line per batch here.
        if ((error as Error)?.name === 'BufferStorageError') continue;
        this.logger.error({ subscriber: this.name, rows: batch.length, err: String(error) }, 'could not store event rows');
      }
    }
  }

  /** Resolves when every context accepted so far is stored (tests, shutdown). */
  async drainPending(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > this.head && Date.now() < deadline) {
      this.flushNow();
      await this.flushing;
      if (this.queue.length > this.head) await new Promise((r) => setTimeout(r, 5));
    }
    await this.flushing;
  }

  /** Called by the runtime on stop. */
  async stop(): Promise<void> {
    await this.drainPending();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEventSubscriber = EventSubscriber<any, any, any>;
