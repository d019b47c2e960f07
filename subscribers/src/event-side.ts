/**
 * The event side of a shell (or any process) in one call: opens the event store at a database path, and in role
 * 'publisher' starts the events runtime (publishers are passed in: subscribers may not import publishers).
 * In role 'consumer' nothing publishes: the tables drain what another process (quarryd) stored.
 */
import { EventStore, type EventRingApi } from '@quarry/buffers';
import {
  createEventRuntime,
  osqueryEventsTable,
  type EventLogger,
  type EventRuntime,
  type EventStatus,
  type EventsConfig,
  type FlagSource,
} from '@quarry/events';
import type { Row, TableDefinition } from '@quarry/sql';
import { registerBuiltinSubscribers } from './builtin.js';
import type { YaraFileScanner } from './yara-events/index.js';
import { eventTableDeclarations, eventTableFor } from './declarations.js';

export interface EventStoreHandle {
  ring(subscriber: string): EventRingApi;
  close(): Promise<void> | void;
}

export interface EventSideOptions {
  flags: FlagSource;
  config: unknown;
  role: 'consumer' | 'publisher';
  databasePath: string;
  logger?: EventLogger;
  /** Role 'publisher': registers the publishers (e.g. `(rt) => registerBuiltinPublishers(rt, { flags })`). */
  registerPublishers?: (runtime: EventRuntime) => void;
  /** The YARA scanner for yara_events (see BuiltinSubscriberDeps.yaraScanner); handed over: close() closes it. */
  yaraScanner?: YaraFileScanner;
  /** Opens the store; default: @quarry/buffers' EventStore. */
  openStore?: (path: string, role: 'consumer' | 'publisher') => Promise<EventStoreHandle>;
}

export interface EventSide {
  runtime: EventRuntime | undefined;
  /** Every `_events` table and osquery_events, by name. */
  tables: Map<string, TableDefinition>;
  status(): Row[];
  registry(): { registry: string; name: string; owner_uuid: number; internal: number; active: number }[];
  configure(config: unknown): Promise<void>;
  close(): Promise<void>;
}

/** Opens @quarry/buffers' EventStore at `path` in `role`. */
export async function openBuffersStore(path: string, role: 'consumer' | 'publisher'): Promise<EventStoreHandle> {
  return EventStore.open(path, { role });
}

export async function openShellEvents(options: EventSideOptions): Promise<EventSide> {
  const store = await (options.openStore ?? openBuffersStore)(options.databasePath, options.role);
  const config = (options.config ?? {}) as EventsConfig;
  if (options.role === 'publisher') {
    const runtime = createEventRuntime(options.flags, config, store, options.logger);
    options.registerPublishers?.(runtime);
    registerBuiltinSubscribers(runtime, { flags: options.flags, ...(options.yaraScanner ? { yaraScanner: options.yaraScanner } : {}) });
    await runtime.start();
    const tables = new Map(runtime.tables().map((t) => [t.name, t]));
    return {
      runtime,
      tables,
      status: () => runtime.status() as unknown as Row[],
      registry: () => registryRows(runtime.status()),
      configure: (next) => runtime.configure((next ?? {}) as EventsConfig),
      async close() {
        await runtime.stop();
        await options.yaraScanner?.close();
        await store.close();
      },
    };
  }
  const tables = new Map<string, TableDefinition>();
  for (const declaration of eventTableDeclarations()) tables.set(declaration.name, eventTableFor(declaration.name, store.ring(declaration.name))!);
  const consumerStatus = (): EventStatus[] => [];
  tables.set('osquery_events', osqueryEventsTable(consumerStatus));
  return {
    runtime: undefined,
    tables,
    status: () => [],
    registry: () => [],
    configure: async () => undefined,
    close: async () => {
      await options.yaraScanner?.close();
      await store.close();
    },
  };
}

function registryRows(status: EventStatus[]): { registry: string; name: string; owner_uuid: number; internal: number; active: number }[] {
  return status.map((s) => ({
    registry: s.type === 'publisher' ? 'event_publisher' : 'event_subscriber',
    name: s.name,
    owner_uuid: 0,
    internal: 0,
    active: s.active,
  }));
}
