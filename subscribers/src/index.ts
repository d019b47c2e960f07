/**
 * Built-in event subscribers. Wiring for the shell and daemon (see /work/coord/events-fim.md):
 *   const runtime = createEventRuntime(flags, config, store, logger);   // @quarry/events
 *   registerBuiltinPublishers(runtime, { flags });                        // @quarry/publishers
 *   registerBuiltinSubscribers(runtime, { flags });                       // @quarry/subscribers
 *   await runtime.start(); engine tables: runtime.tables()
 */
import type { EventRingApi } from '@quarry/buffers';
import { flagInteger, type EventRuntime, type FlagSource } from '@quarry/events';
import type { TableDefinition } from '@quarry/sql';
import { FileEventsSubscriber, fileEventsTable } from './file-events/index.js';

export * from './file-events/index.js';

export interface BuiltinSubscriberDeps {
  flags: FlagSource;
}

/** Registers file_events (read_max from flags). */
export function registerBuiltinSubscribers(runtime: EventRuntime, deps: BuiltinSubscriberDeps): void {
  runtime.registerSubscriber(new FileEventsSubscriber({ readMax: flagInteger(deps.flags, 'read_max', 52428800) }));
}

/**
 * The `_events` tables over a store, without a runtime: for an engine in a worker thread that opened the store as
 * a consumer. Pair with osqueryEventsTable(() => statusFromMainThread) from @quarry/events.
 */
export function builtinEventTables(store: { ring(subscriber: string): EventRingApi } | undefined): TableDefinition[] {
  return [fileEventsTable(store?.ring('file_events'))];
}
