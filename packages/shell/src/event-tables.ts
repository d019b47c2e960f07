/**
 * The shell's event side, loaded only when needed:
 * - 'off'       (events disabled, no --database_path): the engine warns that events are disabled and event tables
 *               return the rows already stored in the shell's database (~/.quarry/shell.db) if it exists, drained
 *               for --consumer; osquery_events lists the publishers and subscribers, inactive, as osqueryi does;
 * - 'consumer'  (--database_path given while events are disabled, e.g. next to a running quarryd): the first
 *               statement that names an event table opens that EventStore as a consumer and drains for --consumer,
 *               committing cursors after the rows were printed (no warning: another process publishes);
 * - 'publisher' (interactive with --disable_events=false): the events runtime starts the publishers and writes
 *               to the store at --database_path (default ~/.quarry/shell.db, directories 0700).
 * Declarations come from light modules, so `.tables` lists event tables without loading LMDB, koffi or chokidar.
 */
import type { Flags, QuarryConfig } from '@quarry/config';
import { QueryError, type QueryContext, type Row, type TableDefinition } from '@quarry/sql';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export type EventsMode = 'off' | 'consumer' | 'publisher';

/** The lower-cased identifier-like words of a statement: scanned once, then every event-side check reads the set. */
export function statementWords(sql: string): Set<string> {
  return new Set(sql.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []);
}

type RegistryRow = { registry: string; name: string; owner_uuid: number; internal: number; active: number };

/** A loaded event side (subscribers' EventSide, or the status-only runtime of 'off' mode). */
interface LoadedEvents {
  tables: Map<string, TableDefinition>;
  status(): readonly Row[];
  registry(): RegistryRow[];
  close(): Promise<void>;
}

/** The store, as far as quarry_buffers needs it. */
interface RingSource {
  rings(): { stats(): unknown }[];
}

/** The shell's database when --database_path is left at osquery's default: ~/.quarry/shell.db. */
export function shellDatabasePath(flags: Flags): string {
  if (!flags.isDefault('database_path')) return flags.string('database_path');
  return join(homedir(), '.quarry', 'shell.db');
}

export class EventTables {
  /** The store-backed tables (consumer or publisher role). */
  private side: LoadedEvents | undefined;
  private sideLoading: Promise<LoadedEvents | undefined> | undefined;
  /** 'off'/'consumer': a runtime that starts nothing, for osquery_events' rows. */
  private statusRuntime: LoadedEvents | undefined;
  private statusLoading: Promise<LoadedEvents | undefined> | undefined;
  private store: RingSource | undefined;
  private readonly eventTableNames = new Set<string>();

  constructor(
    private readonly flags: Flags,
    private readonly config: QuarryConfig | undefined,
    private readonly mode: EventsMode,
    private readonly warn: (message: string) => void,
  ) {}

  /** Every `_events` table, osquery_events and quarry_buffers, as tables that load the event side on demand. */
  async declarations(): Promise<TableDefinition[]> {
    const [{ eventTableDeclarations }, { osqueryEventsTable }, { quarryBuffersTable }] = await Promise.all([
      import('@quarry/subscribers/declarations'),
      import('@quarry/events/osquery-events-table'),
      import('@quarry/buffers/quarry-buffers-table'),
    ]);
    const tables: TableDefinition[] = [];
    for (const declaration of eventTableDeclarations()) {
      this.eventTableNames.add(declaration.name);
      for (const alias of declaration.aliases) this.eventTableNames.add(alias);
      tables.push(this.lazyTable(declaration));
    }
    tables.push(osqueryEventsTable(() => this.status() as never));
    const rings: RingSource = { rings: () => this.store?.rings() ?? [] };
    tables.push(quarryBuffersTable(rings as never));
    return tables;
  }

  private lazyTable(declaration: Pick<TableDefinition, 'name' | 'description' | 'columns' | 'attributes' | 'aliases'>): TableDefinition {
    const events = this;
    return {
      name: declaration.name,
      description: declaration.description,
      columns: declaration.columns,
      ...(declaration.aliases && declaration.aliases.length > 0 ? { aliases: declaration.aliases } : {}),
      ...(declaration.attributes ? { attributes: declaration.attributes } : {}),
      *generate(context: QueryContext): Iterable<Row> {
        const real = events.side?.tables.get(declaration.name);
        if (real) {
          yield* real.generate(context);
          return;
        }
        // No store (none exists yet, or it could not be opened: a warning said why) → no rows. A statement that
        // reached this table without the pre-scan noticing (through a view) asks to be run again once loaded.
        if (!events.sideLoading && events.storeWanted()) throw new NeedsEventsError(declaration.name);
      },
    };
  }

  /** Whether event tables read a store: always with --database_path or events on; else only if the shell's exists. */
  private storeWanted(): boolean {
    if (this.mode !== 'off') return true;
    return existsSync(shellDatabasePath(this.flags));
  }

  /** Loads what a statement needs before it runs, from the words of its text (statementWords). */
  async prepareFor(words: ReadonlySet<string>): Promise<void> {
    let storeTables = words.has('quarry_buffers');
    for (const word of words) if (this.eventTableNames.has(word)) storeTables = true;
    const status = words.has('osquery_events');
    if (storeTables && this.storeWanted()) await this.loadSide();
    if (status) {
      if (this.mode === 'publisher') await this.loadSide();
      else await this.loadStatusRuntime();
    }
  }

  /** Opens the store after a lazy table was reached without the pre-scan noticing. */
  async loadNow(): Promise<void> {
    await this.loadSide();
  }

  async startIfPublishing(): Promise<void> {
    if (this.mode === 'publisher') await this.loadSide();
  }

  private loadSide(): Promise<LoadedEvents | undefined> {
    this.sideLoading ??= this.openSide().then(
      (loaded) => (this.side = loaded),
      (error: unknown) => {
        this.warn(`Event tables cannot read ${shellDatabasePath(this.flags)}: ${(error as Error).message}`);
        return undefined;
      },
    );
    return this.sideLoading;
  }

  private loadStatusRuntime(): Promise<LoadedEvents | undefined> {
    this.statusLoading ??= this.openStatusRuntime().then(
      (loaded) => (this.statusRuntime = loaded),
      (error: unknown) => {
        this.warn(`osquery_events is unavailable: ${(error as Error).message}`);
        return undefined;
      },
    );
    return this.statusLoading;
  }

  private async openSide(): Promise<LoadedEvents> {
    const databasePath = shellDatabasePath(this.flags);
    mkdirSync(dirname(databasePath), { recursive: true, mode: 0o700 });
    const role = this.mode === 'publisher' ? 'publisher' : 'consumer';
    const [{ openShellEvents }, { EventStore }, { syslogRingLimits }] = await Promise.all([
      import('@quarry/subscribers/event-side'),
      import('@quarry/buffers'),
      import('@quarry/subscribers/syslog-events/index'),
    ]);
    const publishers = role === 'publisher' ? await import('@quarry/publishers') : undefined;
    const yara = role === 'publisher' ? await import('@quarry/tables/yara/index') : undefined;
    const flags = this.flags;
    return openShellEvents({
      flags,
      config: this.config,
      role,
      databasePath,
      ...(publishers ? { registerPublishers: (runtime) => publishers.registerBuiltinPublishers(runtime, { flags }) } : {}),
      ...(yara
        ? {
            yaraScanner: new yara.YaraScanPool({
              workers: 2,
              maxFileSize: flags.number('yara_max_file_size'),
              withStrings: flags.bool('enable_yara_string'),
            }),
          }
        : {}),
      openStore: async (path, storeRole) => {
        const store = EventStore.open(path, {
          role: storeRole,
          eventsExpiry: flags.number('events_expiry'),
          eventsMax: flags.number('events_max'),
          ringLimits: syslogRingLimits(flags),
        });
        this.store = store;
        return store;
      },
    });
  }

  /** Registers every publisher and subscriber and starts none (events are disabled): osquery_events' zeros. */
  private async openStatusRuntime(): Promise<LoadedEvents> {
    const [{ createEventRuntime }, { registerBuiltinPublishers }, { registerBuiltinSubscribers }] = await Promise.all([
      import('@quarry/events'),
      import('@quarry/publishers'),
      import('@quarry/subscribers'),
    ]);
    const runtime = createEventRuntime(this.flags, (this.config ?? {}) as Readonly<Record<string, unknown>>, undefined, undefined);
    registerBuiltinPublishers(runtime, { flags: this.flags });
    registerBuiltinSubscribers(runtime, { flags: this.flags });
    await runtime.start();
    return {
      tables: new Map(),
      status: () => runtime.status() as unknown as Row[],
      registry: () => [],
      close: () => runtime.stop(),
    };
  }

  private status(): readonly Row[] {
    if (this.mode === 'publisher') return this.side?.status() ?? [];
    return this.statusRuntime?.status() ?? [];
  }

  registryRows(): RegistryRow[] {
    return this.side?.registry() ?? [];
  }

  async close(): Promise<void> {
    for (const loading of [this.sideLoading, this.statusLoading]) {
      const loaded = loading ? await loading : undefined;
      await loaded?.close();
    }
  }
}

/** Text that marks a NeedsEventsError inside whatever error the engine wraps it in. */
export const NEEDS_EVENTS_MARK = 'was not open when the query reached it';

/** Thrown by a lazy event table whose store is not open yet; the backend loads it and retries the statement. */
export class NeedsEventsError extends QueryError {
  constructor(readonly table: string) {
    super(`the event store for ${table} ${NEEDS_EVENTS_MARK}; run the query again`, 1);
  }
}
