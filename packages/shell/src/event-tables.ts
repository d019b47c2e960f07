/**
 * The shell's event side, loaded only when needed:
 * - 'off'       (one-shot without --database_path, or interactive with events disabled): event tables are declared
 *               and return no rows (the engine warns that events are disabled);
 * - 'consumer'  (--database_path given while events are disabled, e.g. next to a running quarryd): the first
 *               statement that names an event table opens the EventStore read-only as a consumer and drains for
 *               --consumer, committing cursors after the rows were printed;
 * - 'publisher' (interactive with --disable_events=false): the events runtime starts the publishers and writes
 *               to the store at --database_path (default ~/.quarry/shell.db).
 * Declarations come from a light module, so `.tables` lists event tables without loading LMDB or chokidar.
 */
import type { Flags } from '@quarry/config';
import { QueryError, type QueryContext, type Row, type TableDefinition } from '@quarry/sql';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export type EventsMode = 'off' | 'consumer' | 'publisher';

/** Tables whose rows come from the event side: every `*_events` table plus these. */
const EVENT_SIDE_TABLES = new Set(['osquery_events', 'quarry_buffers']);

interface Declaration {
  readonly name: string;
  readonly description: string;
  readonly columns: TableDefinition['columns'];
  readonly attributes?: TableDefinition['attributes'];
  readonly aliases?: readonly string[];
}

/** What the events wiring provides once loaded (see /work/coord/events-fim.md and buffers.md). */
interface LoadedEvents {
  tables: Map<string, TableDefinition>;
  status(): Row[];
  registry(): { registry: string; name: string; owner_uuid: number; internal: number; active: number }[];
  close(): Promise<void>;
}

/** The shell's database when --database_path is left at osquery's default: ~/.quarry/shell.db (dirs 0700). */
export function shellDatabasePath(flags: Flags): string {
  if (!flags.isDefault('database_path')) return flags.string('database_path');
  return join(homedir(), '.quarry', 'shell.db');
}

function ensurePrivateDirectory(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
}

export class EventTables {
  private loaded: LoadedEvents | undefined;
  private loading: Promise<LoadedEvents | undefined> | undefined;
  private names = new Set<string>();

  constructor(
    private readonly flags: Flags,
    private readonly config: unknown,
    private readonly mode: EventsMode,
    private readonly warn: (message: string) => void,
  ) {}

  /** Declarations wrapped as tables whose generators delegate to the real ones once loaded. */
  async declarations(): Promise<TableDefinition[]> {
    let declarations: Declaration[] = [];
    try {
      const module = (await import('@quarry/subscribers/declarations' as string)) as { eventTableDeclarations?: () => Declaration[] };
      declarations = module.eventTableDeclarations?.() ?? [];
    } catch {
      declarations = [];
    }
    for (const declaration of declarations) this.names.add(declaration.name);
    return declarations.map((declaration) => this.lazyTable(declaration));
  }

  private lazyTable(declaration: Declaration): TableDefinition {
    const events = this;
    return {
      name: declaration.name,
      description: declaration.description,
      columns: declaration.columns,
      ...(declaration.attributes ? { attributes: declaration.attributes } : {}),
      ...(declaration.aliases ? { aliases: declaration.aliases } : {}),
      *generate(context: QueryContext): Iterable<Row> {
        if (events.mode === 'off') return;
        const real = events.loaded?.tables.get(declaration.name);
        if (!real) {
          // Reached through a view or an alias the pre-scan missed: ask the backend to load and run again.
          throw new NeedsEventsError(declaration.name);
        }
        yield* real.generate(context);
      },
    };
  }

  /** True when the SQL text names an event-side table (a cheap word scan, case-insensitive). */
  mentionsEventTable(sql: string): boolean {
    for (const word of sql.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []) {
      if (this.names.has(word) || EVENT_SIDE_TABLES.has(word)) return true;
    }
    return false;
  }

  /** Loads the event side before a statement that needs it runs. */
  async prepareFor(sql: string): Promise<void> {
    if (this.mode === 'off' || this.loaded) return;
    if (!this.mentionsEventTable(sql)) return;
    await this.load();
  }

  async startIfPublishing(): Promise<void> {
    if (this.mode === 'publisher') await this.load();
  }

  private load(): Promise<LoadedEvents | undefined> {
    this.loading ??= this.open().then((loaded) => {
      this.loaded = loaded;
      return loaded;
    });
    return this.loading;
  }

  private async open(): Promise<LoadedEvents | undefined> {
    const databasePath = shellDatabasePath(this.flags);
    ensurePrivateDirectory(dirname(databasePath));
    const wiring = (await import('@quarry/subscribers' as string)) as Record<string, unknown>;
    const open = wiring.openShellEvents as
      | ((options: { flags: Flags; config: unknown; role: 'consumer' | 'publisher'; databasePath: string }) => Promise<LoadedEvents>)
      | undefined;
    if (typeof open !== 'function') {
      this.warn('The event store wiring is not available in this build; event tables return no rows');
      return undefined;
    }
    return open({ flags: this.flags, config: this.config, role: this.mode === 'publisher' ? 'publisher' : 'consumer', databasePath });
  }

  status(): Row[] {
    return this.loaded?.status() ?? [];
  }

  registryRows(): { registry: string; name: string; owner_uuid: number; internal: number; active: number }[] {
    return this.loaded?.registry() ?? [];
  }

  async close(): Promise<void> {
    const loaded = this.loaded ?? (this.loading ? await this.loading : undefined);
    await loaded?.close();
  }
}

/** Thrown by a lazy event table whose store is not open yet; the backend loads it and retries the statement. */
export class NeedsEventsError extends QueryError {
  constructor(readonly table: string) {
    super(`internal: the event store for ${table} was not loaded before the query ran`, 1);
  }
}
