/**
 * An Engine in this thread with the shell's table set. Heavy parts load lazily: event tables are declared up
 * front (so `.tables` and `.schema` list them) but the event store (LMDB) is opened, as a consumer, only when a
 * statement names one of them; the events runtime (publishers) starts only when --disable_events=false.
 */
import type { Flags } from '@quarry/config';
import type { TableDefinition } from '@quarry/sql';
import { StatementError, type StatementOutcome, type TableSummary } from './backend.js';
import { type EngineLike, type EngineModule, toOutcome, toStatementError } from './engine-contract.js';
import { EventTables, type EventsMode, NEEDS_EVENTS_MARK } from './event-tables.js';
import { type ShellConfigView, ShellAgentState } from './shell-agent-state.js';

export interface LocalEngineOptions {
  readonly flags: Flags;
  /** The loaded osquery.conf (as @quarry/config returns it), if any. */
  readonly config?: unknown;
  readonly configView?: ShellConfigView;
  readonly consumer: string;
  readonly events: EventsMode;
  /** Shared flag the engine's progress handler polls (worker-thread shell); see requests.md. */
  readonly interruptFlag?: Int32Array;
  /** --planner: receives osquery's planner lines. */
  readonly planner?: (line: string) => void;
  /** Receives warnings raised outside a statement (event runtime start-up, ...). */
  readonly warn?: (message: string) => void;
}

/** The ordinary tables from @quarry/tables with the shell's AgentState and osquery's table filters. */
async function ordinaryTables(
  flags: Flags,
  config: unknown,
  agent: ShellAgentState,
  extraTableNames: () => string[],
): Promise<TableDefinition[]> {
  const { allTables } = await import('@quarry/tables');
  const text = (name: string): string | undefined => (flags.has(name) ? flags.string(name) : undefined);
  return allTables({
    agent,
    flags,
    config: () => config,
    ...(flags.has('read_max') ? { readMax: flags.number('read_max') } : {}),
    extraTableNames,
    ...(text('disable_tables') !== undefined ? { disableTables: text('disable_tables') } : {}),
    ...(text('enable_tables') !== undefined ? { enableTables: text('enable_tables') } : {}),
  });
}

/**
 * Whether a statement may touch the event side: an `*_events` name, osquery_events, quarry_buffers, or
 * osquery_registry (which lists every table). A cheap word scan; a false positive only costs a few imports.
 */
function mentionsEventSide(sql: string): boolean {
  for (const word of sql.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []) {
    if (word.endsWith('_events') || word === 'quarry_buffers' || word === 'osquery_registry') return true;
  }
  return false;
}

export class LocalEngine {
  /** Event tables join the engine on first need (a statement naming one, `.tables`, `.schema`). */
  private eventTablesRegistered: Promise<void> | undefined;
  private eventNames: string[] = [];

  private constructor(
    private readonly engine: EngineLike,
    private readonly definitions: TableDefinition[],
    private readonly events: EventTables,
    private readonly consumer: string,
  ) {}

  static async create(options: LocalEngineOptions): Promise<LocalEngine> {
    const events = new EventTables(options.flags, options.config, options.events, options.warn ?? (() => {}));
    let self: LocalEngine | undefined;
    const agentState = new ShellAgentState(options.flags, () => options.configView, () => events.registryRows());
    const [sqlModule, tables] = await Promise.all([
      import('@quarry/sql') as Promise<unknown> as Promise<EngineModule>,
      ordinaryTables(options.flags, options.config, agentState, () => self?.eventNames ?? []),
    ]);
    const engineOptions: Record<string, unknown> = {
      tables,
      // 'consumer': another process publishes into --database_path, so event tables are live, not stale.
      eventsEnabled: () => options.events !== 'off',
    };
    if (options.interruptFlag) engineOptions.interruptSignal = options.interruptFlag;
    if (options.planner && options.flags.has('planner') && options.flags.bool('planner')) engineOptions.planner = options.planner;
    if (options.flags.has('query_timeout') && options.flags.number('query_timeout') > 0) {
      engineOptions.queryTimeoutMs = options.flags.number('query_timeout') * 1000;
    }
    const engine = await sqlModule.Engine.create(engineOptions);
    self = new LocalEngine(engine, [...tables], events, options.consumer);
    if (options.events === 'publisher') {
      await self.registerEventTables();
      await events.startIfPublishing();
    }
    return self;
  }

  /** Declares the `_events` tables, osquery_events and quarry_buffers to the engine (once). */
  private registerEventTables(): Promise<void> {
    this.eventTablesRegistered ??= this.events.declarations().then((declarations) => {
      const known = new Set(this.definitions.map((table) => table.name));
      for (const table of declarations) {
        if (known.has(table.name)) continue;
        this.engine.register?.(table);
        this.definitions.push(table);
        this.eventNames.push(table.name);
      }
    });
    return this.eventTablesRegistered;
  }

  async execute(sql: string): Promise<StatementOutcome> {
    if (mentionsEventSide(sql)) await this.registerEventTables();
    await this.events.prepareFor(sql);
    try {
      return this.run(sql);
    } catch (error) {
      // A view or alias reached an event table the pre-scan did not see: open the store and run it again
      // (nothing was committed: cursors move only after delivery).
      if (error instanceof Error && error.message.includes(NEEDS_EVENTS_MARK)) {
        await this.events.loadNow();
        try {
          return this.run(sql);
        } catch (retryError) {
          throw toStatementError(retryError);
        }
      }
      throw toStatementError(error);
    }
  }

  /** One statement, every value as osquery's text (doubles `%.15g` with `.0`, NULL as null). */
  private run(sql: string): StatementOutcome {
    const results = this.engine.execute(sql, { consumer: this.consumer, text: true });
    if (results instanceof Promise) throw new Error('the engine returned a promise; quarryi expects synchronous execute()');
    return toOutcome(results);
  }

  async columnsOf(sql: string): Promise<{ name: string; type: string }[]> {
    if (mentionsEventSide(sql)) await this.registerEventTables();
    if (!this.engine.columnsOf) throw new StatementError('.types needs an engine with columnsOf()', 1);
    try {
      return this.engine.columnsOf(sql);
    } catch (error) {
      throw toStatementError(error);
    }
  }

  async tables(): Promise<TableSummary[]> {
    await this.registerEventTables();
    const summaries: TableSummary[] = [];
    for (const table of this.definitions) {
      const columns = table.columns.map((column) => column.name);
      summaries.push({ name: table.name, columns });
      for (const alias of table.aliases ?? []) summaries.push({ name: alias, columns });
    }
    return summaries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async schemaOf(name: string): Promise<string | undefined> {
    await this.registerEventTables();
    const fromEngine = this.engine.schemaOf?.(name);
    if (fromEngine !== undefined) return fromEngine;
    const table = this.definitions.find((candidate) => candidate.name === name || candidate.aliases?.includes(name));
    if (!table) return undefined;
    const { schemaOf } = await import('@quarry/sql/schema');
    return schemaOf(table.name === name ? table : { ...table, name });
  }

  interrupt(): void {
    this.engine.interrupt?.();
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.engine.close?.();
  }
}
