/**
 * EventPublisher: owns one OS event source. Subscribers hand it subscriptions; it fires typed event contexts on its
 * eventemitter3 emitter. It never knows about tables. Counters feed osquery_events (events fired, refreshes,
 * active, status text).
 */
import { EventEmitter } from 'eventemitter3';
import type { EventContext, EventLogger } from './types.js';
import { silentLogger } from './types.js';

export interface PublisherEvents<Ctx extends EventContext> {
  /** One context, for the subscribers named in `subscribers` (each checks its own name). */
  event: [ctx: Ctx, subscribers: readonly string[]];
  /** The status text changed (a problem, or recovery). */
  status: [text: string];
}

export abstract class EventPublisher<Subscription, Ctx extends EventContext> {
  /** osquery's publisher type, e.g. `inotify`. */
  abstract readonly type: string;
  readonly emitter = new EventEmitter<PublisherEvents<Ctx>>();
  protected logger: EventLogger = silentLogger;
  /** subscriber name → its subscriptions (replaced as a whole on each configure). */
  protected readonly subscriptions = new Map<string, readonly Subscription[]>();
  private nextEventId = 1;
  private refreshCount = 0;
  private started = false;
  private ending = false;
  private statusText = 'not set up';

  /** Called by the runtime before setUp. */
  attachLogger(logger: EventLogger): void {
    this.logger = logger;
  }

  /** Prepare the source. Throw to say the publisher cannot run here (the runtime logs it and keeps going). */
  async setUp(): Promise<void> {}
  /** Start delivering events. */
  abstract start(): Promise<void>;
  /** Stop and release every OS resource. Must be safe to call twice. */
  abstract stop(): Promise<void>;
  /** Apply the current subscriptions (called after subscribers configured). */
  async configure(): Promise<void> {}

  /** Replace every subscription of one subscriber. */
  subscribe(subscriber: string, subscriptions: readonly Subscription[]): void {
    if (subscriptions.length === 0) this.subscriptions.delete(subscriber);
    else this.subscriptions.set(subscriber, subscriptions);
  }

  subscriptionCount(): number {
    let n = 0;
    for (const list of this.subscriptions.values()) n += list.length;
    return n;
  }

  /** Number of contexts fired so far (osquery_events.events for a publisher). */
  get eventsFired(): number {
    return this.nextEventId - 1;
  }
  get refreshes(): number {
    return this.refreshCount;
  }
  get status(): string {
    return this.statusText;
  }
  isActive(): boolean {
    return this.started && !this.ending;
  }
  isEnding(): boolean {
    return this.ending;
  }

  /** Runtime bookkeeping: call through EventRuntime only. */
  markStarted(): void {
    this.started = true;
    this.ending = false;
  }
  markEnding(): void {
    this.ending = true;
  }

  protected countRefresh(): void {
    this.refreshCount++;
  }

  protected setStatus(text: string): void {
    if (text === this.statusText) return;
    this.statusText = text;
    this.emitter.emit('status', text);
  }

  /** Give the context its id and time and hand it to the named subscribers. Dropped while ending. */
  protected fire(ctx: Omit<Ctx, 'id' | 'time'> & { time?: number }, subscribers: readonly string[]): void {
    if (this.ending || subscribers.length === 0) return;
    const full = ctx as Ctx;
    full.id = this.nextEventId++;
    if (!full.time) full.time = Math.floor(Date.now() / 1000);
    this.emitter.emit('event', full, subscribers);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEventPublisher = EventPublisher<any, any>;
