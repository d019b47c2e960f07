/**
 * EventRuntime: osquery's EventFactory as an object the shell or daemon owns (no globals). It registers publishers
 * and subscribers, applies disable_events and the config's events.enable_subscribers / disable_subscribers,
 * sets up and starts publishers, configures subscribers (and re-configures them on config change), routes event
 * contexts to subscribers, and reports status for osquery_events.
 */
import type { TableDefinition } from '@quarry/sql';
import type { AnyEventPublisher } from './event-publisher.js';
import type { AnyEventSubscriber } from './event-subscriber.js';
import { osqueryEventsTable } from './osquery-events-table.js';
import type { EventLogger, EventStatus, EventStoreLike, EventsConfig, FlagSource } from './types.js';
import { EventsConfigError, SubscriberDisabledError, flagBoolean, silentLogger } from './types.js';

export interface EventRuntimeOptions {
  /** Flags by osquery name: disable_events (the Flags class applies the shell/daemon default), events_expiry, ... */
  flags: FlagSource;
  /** The parsed osquery.conf. */
  config?: EventsConfig;
  /** Gives each subscriber its ring. Without it subscribers run but store nothing (status says so). */
  store?: EventStoreLike;
  logger?: EventLogger;
}

interface PublisherEntry {
  publisher: AnyEventPublisher;
  setUpOk: boolean;
  problem: string;
}

export class EventRuntime {
  private readonly flags: FlagSource;
  private config: EventsConfig;
  private readonly store: EventStoreLike | undefined;
  private readonly logger: EventLogger;
  private readonly publishers = new Map<string, PublisherEntry>();
  private readonly subscribers = new Map<string, AnyEventSubscriber>();
  private readonly detachers: Array<() => void> = [];
  private started = false;
  private configuring: Promise<void> = Promise.resolve();

  constructor(options: EventRuntimeOptions) {
    this.flags = options.flags;
    this.config = options.config ?? {};
    this.store = options.store;
    this.logger = options.logger ?? silentLogger;
  }

  /** False when --disable_events is true (the shell's default; the daemon's is false). */
  eventsEnabled(): boolean {
    return !flagBoolean(this.flags, 'disable_events', false);
  }

  registerPublisher(publisher: AnyEventPublisher): void {
    if (!publisher.type) throw new Error('An event publisher needs a non-empty type');
    if (this.publishers.has(publisher.type)) {
      throw new Error(`An event publisher of type "${publisher.type}" is already registered`);
    }
    if (this.started) throw new Error(`Register event publisher "${publisher.type}" before EventRuntime.start()`);
    publisher.attachLogger(this.logger);
    this.publishers.set(publisher.type, { publisher, setUpOk: false, problem: 'not set up' });
  }

  registerSubscriber(subscriber: AnyEventSubscriber): void {
    if (!subscriber.name || !subscriber.name.endsWith('_events')) {
      throw new Error(`Event subscriber name "${subscriber.name}" must end in "_events": it is the name of its SQL table`);
    }
    if (this.subscribers.has(subscriber.name)) {
      throw new Error(`An event subscriber named "${subscriber.name}" is already registered`);
    }
    if (this.started) throw new Error(`Register event subscriber "${subscriber.name}" before EventRuntime.start()`);
    this.subscribers.set(subscriber.name, subscriber);
  }

  publisher(type: string): AnyEventPublisher | undefined {
    return this.publishers.get(type)?.publisher;
  }

  subscriber(name: string): AnyEventSubscriber | undefined {
    return this.subscribers.get(name);
  }

  /** Set up publishers, init subscribers, configure, start publishers. Never throws for one bad component. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const enabled = this.eventsEnabled();
    for (const entry of this.publishers.values()) {
      if (!enabled) {
        entry.problem = 'events are disabled (--disable_events=true)';
        continue;
      }
      try {
        await entry.publisher.setUp();
        entry.setUpOk = true;
        entry.problem = '';
      } catch (error) {
        entry.problem = `not enabled: ${errorText(error)}`;
        entry.publisher.markEnding();
        this.logger.info({ publisher: entry.publisher.type }, `Event publisher not enabled: ${entry.publisher.type}: ${errorText(error)}`);
      }
    }
    let disabledByConfig = new Set<string>();
    try {
      disabledByConfig = this.disabledSubscribers();
    } catch (error) {
      this.logger.error({ err: errorText(error) }, `config key "events" ignored: ${errorText(error)}`);
    }
    for (const subscriber of this.subscribers.values()) {
      const ring = this.store?.ring(subscriber.name);
      subscriber.attach(this.logger, ring);
      const entry = this.publishers.get(subscriber.publisherType);
      if (!enabled) {
        subscriber.setState('paused', 'paused: events are disabled (--disable_events=true)');
        continue;
      }
      if (disabledByConfig.has(subscriber.name)) {
        subscriber.setState('paused', 'paused: listed in config events.disable_subscribers');
        continue;
      }
      if (!entry) {
        subscriber.setState('failed', `failed: no event publisher of type "${subscriber.publisherType}" is registered`);
        this.logger.error({ subscriber: subscriber.name }, subscriber.statusText);
        continue;
      }
      if (!entry.setUpOk) {
        subscriber.setState('paused', `paused: publisher ${subscriber.publisherType} ${entry.problem}`);
        continue;
      }
      try {
        await subscriber.init();
        subscriber.setState('running');
      } catch (error) {
        subscriber.setState('failed', `failed: ${errorText(error)}`);
        if (error instanceof SubscriberDisabledError) {
          this.logger.info({ subscriber: subscriber.name }, `Event subscriber not enabled: ${subscriber.name}: ${error.message}`);
        } else {
          this.logger.error({ subscriber: subscriber.name, err: errorText(error) }, `Event subscriber ${subscriber.name} failed to start`);
        }
        continue;
      }
      const listener = (ctx: { id: number; time: number }, names: readonly string[]): void => {
        if (names.includes(subscriber.name)) subscriber.accept(ctx);
      };
      entry.publisher.emitter.on('event', listener);
      this.detachers.push(() => entry.publisher.emitter.off('event', listener));
    }
    if (!enabled) return;
    await this.configure(this.config);
    for (const entry of this.publishers.values()) {
      if (!entry.setUpOk) continue;
      try {
        await entry.publisher.start();
        entry.publisher.markStarted();
      } catch (error) {
        entry.setUpOk = false;
        entry.problem = `failed to start: ${errorText(error)}`;
        entry.publisher.markEnding();
        this.logger.error({ publisher: entry.publisher.type, err: errorText(error) }, `Event publisher ${entry.publisher.type} failed to start`);
      }
    }
  }

  /**
   * Apply a (new) config: every running subscriber recomputes its subscriptions, then every publisher applies them.
   * A subscriber whose config section is invalid fails with the config error in its status; others continue.
   * Throws an EventsConfigError naming every invalid section after applying what was valid.
   */
  configure(config: EventsConfig): Promise<void> {
    const run = this.configuring.then(() => this.applyConfig(config));
    this.configuring = run.catch(() => undefined);
    return run;
  }

  private async applyConfig(config: EventsConfig): Promise<void> {
    this.config = config;
    if (!this.started || !this.eventsEnabled()) return;
    const problems: string[] = [];
    for (const subscriber of this.subscribers.values()) {
      if (subscriber.state !== 'running' && !subscriber.configWasRefused) continue;
      const entry = this.publishers.get(subscriber.publisherType);
      if (!entry?.setUpOk) continue;
      try {
        const subscriptions = await subscriber.configure(config);
        entry.publisher.subscribe(subscriber.name, subscriptions);
        subscriber.noteSubscriptions(subscriptions.length);
        subscriber.markConfigRefused(false);
        if (subscriber.state !== 'running') subscriber.setState('running');
      } catch (error) {
        entry.publisher.subscribe(subscriber.name, []);
        subscriber.noteSubscriptions(0);
        subscriber.markConfigRefused(true);
        subscriber.setState('failed', `failed: config: ${errorText(error)}`);
        problems.push(errorText(error));
        this.logger.error({ subscriber: subscriber.name, err: errorText(error) }, `Event subscriber ${subscriber.name} rejected the config`);
      }
    }
    for (const entry of this.publishers.values()) {
      if (!entry.setUpOk) continue;
      try {
        await entry.publisher.configure();
      } catch (error) {
        problems.push(errorText(error));
        this.logger.error({ publisher: entry.publisher.type, err: errorText(error) }, `Event publisher ${entry.publisher.type} could not apply its subscriptions`);
      }
    }
    if (problems.length > 0) throw new EventsConfigError(problems.join('; '));
  }

  /** Stop publishers, then store what subscribers still hold. Safe to call twice. */
  async stop(): Promise<void> {
    for (const entry of this.publishers.values()) {
      entry.publisher.markEnding();
      if (!entry.setUpOk) continue;
      try {
        await entry.publisher.stop();
      } catch (error) {
        this.logger.error({ publisher: entry.publisher.type, err: errorText(error) }, 'event publisher did not stop cleanly');
      }
      entry.setUpOk = false;
      entry.problem = 'stopped';
    }
    for (const detach of this.detachers.splice(0)) detach();
    for (const subscriber of this.subscribers.values()) {
      await subscriber.stop();
      if (subscriber.state === 'running') subscriber.setState('none', 'stopped');
    }
  }

  /** Resolves once every context fired so far is stored (tests, benches). */
  async settle(timeoutMs = 10_000): Promise<void> {
    for (const subscriber of this.subscribers.values()) await subscriber.drainPending(timeoutMs);
  }

  /** One status per publisher and subscriber: osquery_events' rows. */
  status(): EventStatus[] {
    const rows: EventStatus[] = [];
    for (const { publisher, setUpOk, problem } of this.publishers.values()) {
      const active = publisher.isActive() && setUpOk;
      const status = problem || publisher.status;
      rows.push({
        name: publisher.type,
        publisher: publisher.type,
        type: 'publisher',
        subscriptions: publisher.subscriptionCount(),
        events: publisher.eventsFired,
        refreshes: publisher.refreshes,
        active: active ? 1 : 0,
        status: active ? publisher.status : status,
      });
    }
    for (const subscriber of this.subscribers.values()) {
      rows.push({
        name: subscriber.name,
        publisher: subscriber.publisherType,
        type: 'subscriber',
        subscriptions: subscriber.subscriptionCount,
        events: subscriber.eventsStored,
        refreshes: 0,
        active: subscriber.state === 'running' ? 1 : 0,
        status: subscriber.statusText,
      });
    }
    return rows;
  }

  /** Every subscriber's `_events` table (attributes.eventBased set) and osquery_events. */
  tables(): TableDefinition[] {
    const tables: TableDefinition[] = [];
    for (const subscriber of this.subscribers.values()) {
      const table = subscriber.table(this.store?.ring(subscriber.name));
      tables.push({ ...table, attributes: { ...table.attributes, eventBased: true } });
    }
    tables.push(osqueryEventsTable(() => this.status()));
    return tables;
  }

  private disabledSubscribers(): Set<string> {
    const section = this.config['events'];
    const disabled = new Set<string>();
    if (section === undefined || section === null) return disabled;
    if (typeof section !== 'object' || Array.isArray(section)) {
      throw new EventsConfigError('config key "events" must be an object like {"disable_subscribers": ["yara_events"]}');
    }
    const lists = section as Record<string, unknown>;
    for (const key of ['enable_subscribers', 'disable_subscribers']) {
      const value = lists[key];
      if (value !== undefined && (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))) {
        throw new EventsConfigError(`config key "events.${key}" must be an array of subscriber names such as ["file_events"]`);
      }
    }
    // enable first, then disable: disable wins (osquery). No built-in subscriber is disabled by default.
    for (const name of (lists['disable_subscribers'] as string[] | undefined) ?? []) disabled.add(name);
    return disabled;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The runtime with osquery's flags, config, store and logger; register publishers and subscribers next. */
export function createEventRuntime(
  flags: FlagSource,
  config: EventsConfig = {},
  store?: EventStoreLike,
  logger?: EventLogger,
): EventRuntime {
  return new EventRuntime({ flags, config, ...(store ? { store } : {}), ...(logger ? { logger } : {}) });
}
