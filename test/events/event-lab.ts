/**
 * Shared by the event-table tests: a real events runtime over a fresh LMDB store, queried through the real SQL engine
 * (quarry_buffers included), with the runtime's warnings and errors collected.
 */
import { Flags } from '@quarry/config';
import { EventStore, quarryBuffersTable, type EventStoreOptions } from '@quarry/buffers';
import { createEventRuntime, type EventLogger, type EventRuntime } from '@quarry/events';
import { registerBuiltinPublishers } from '@quarry/publishers';
import { registerBuiltinSubscribers } from '@quarry/subscribers';
import { Engine, type Row } from '@quarry/sql';
import { tempDir } from '../temp-dir.js';

export interface EventLab {
  flags: Flags;
  runtime: EventRuntime;
  engine: Engine;
  store: EventStore;
  /** What the runtime's publishers and subscribers warned about or reported as errors. */
  warnings: string[];
  /** Rows of a query, peeking (no consumer cursor moves). */
  rows(sql: string): Row[];
  close(): Promise<void>;
}

export interface EventLabOptions {
  /** Extra store options (e.g. ringLimits), beside role publisher. */
  store?: (flags: Flags) => Partial<EventStoreOptions>;
  /** Registers publishers and subscribers; default: every built-in one. */
  register?: (runtime: EventRuntime, flags: Flags) => void;
  /** Called after registration, before start (e.g. to listen to a publisher's events). */
  beforeStart?: (runtime: EventRuntime) => void;
}

/** Starts the runtime with `--disable_events=false` and these flags (osquery syntax). */
export async function openEventLab(args: string[], options: EventLabOptions = {}): Promise<EventLab> {
  const { flags } = Flags.parse(['--disable_events=false', ...args], { mode: 'daemon' });
  const store = EventStore.open(tempDir('quarry-event-lab-db-'), { role: 'publisher', ...options.store?.(flags) });
  const warnings: string[] = [];
  const note = (obj: object | string, msg?: string): void => {
    warnings.push(typeof obj === 'string' ? obj : msg ?? JSON.stringify(obj));
  };
  const logger: EventLogger = { debug() {}, info() {}, warn: note, error: note };
  const runtime = createEventRuntime(flags, {}, store, logger);
  if (options.register) options.register(runtime, flags);
  else {
    registerBuiltinPublishers(runtime, { flags });
    registerBuiltinSubscribers(runtime, { flags });
  }
  options.beforeStart?.(runtime);
  await runtime.start();
  const engine = await Engine.create({ tables: [...runtime.tables(), quarryBuffersTable(store)], eventsEnabled: () => runtime.eventsEnabled() });
  return {
    flags,
    runtime,
    engine,
    store,
    warnings,
    rows: (sql) => engine.query(sql, { consumer: 'event-lab', peek: true }).rows,
    async close() {
      await runtime.stop();
      engine.close();
      await store.close();
    },
  };
}
