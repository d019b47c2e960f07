/**
 * An Engine in this thread with the shell's table set. Heavy parts load lazily: event tables are declared up
 * front (so `.tables` and `.schema` list them) but the event store (LMDB) is opened, as a consumer, only when a
 * statement names one of them; the events runtime (publishers) starts only when --disable_events=false.
 */
import type { Flags, QuarryConfig } from '@quarry/config';

type QuarryConfigAutoTables = QuarryConfig['auto_table_construction'];
import { StatementError as EngineStatementError, type Engine, type EngineOptions, type QueryResult, type TableDefinition } from '@quarry/sql';
import type { ExtensionTableSet } from '@quarry/extensions';
import { StatementError, type ExtensionsState, type StatementOutcome, type TableSummary } from './backend.js';
import { EVENT_TABLE_ALIAS_NAMES } from '@quarry/subscribers/event-table-aliases';
import { EventTables, type EventsMode, NEEDS_EVENTS_MARK, statementWords } from './event-tables.js';
import { isRealType, renderValue } from './output/values.js';
import { type ShellConfigView, ShellAgentState } from './shell-agent-state.js';

export interface LocalEngineOptions {
  readonly flags: Flags;
  /** The config state (the loaded osquery.conf in `.config`), if a config was read. */
  readonly configView?: ShellConfigView | undefined;
  readonly consumer: string;
  readonly events: EventsMode;
  /** Shared flag the engine's progress handler polls (the interactive shell's worker thread). */
  readonly interruptSignal?: Int32Array;
  /** --planner: receives osquery's planner lines. */
  readonly planner?: (line: string) => void;
  /** Receives warnings raised outside a statement (event runtime start-up, ...). */
  readonly warn?: (message: string) => void;
}

/** The ordinary tables from @quarry/tables with the shell's AgentState and osquery's table filters. */
async function ordinaryTables(
  flags: Flags,
  configView: ShellConfigView | undefined,
  agent: ShellAgentState,
  extraTableNames: () => string[],
): Promise<TableDefinition[]> {
  const { allTables } = await import('@quarry/tables');
  return allTables({
    agent,
    flags,
    config: () => configView?.config,
    readMax: flags.number('read_max'),
    extraTableNames,
    disableTables: flags.string('disable_tables'),
    enableTables: flags.string('enable_tables'),
  });
}

/**
 * Whether a statement may touch the event side: an `*_events` name or an event table's alias (`syslog`),
 * osquery_events, quarry_buffers, or osquery_registry (which lists every table). A false positive only costs a few
 * imports.
 */
function mentionsEventSide(words: ReadonlySet<string>): boolean {
  for (const word of words) {
    if (word.endsWith('_events') || EVENT_TABLE_ALIAS_NAMES.has(word) || word === 'quarry_buffers' || word === 'osquery_registry') return true;
  }
  return false;
}

/** The engine's results for one statement as the shell's outcome (the last result set; every warning). */
function toOutcome(results: readonly QueryResult[]): StatementOutcome {
  const last = results[results.length - 1];
  const warnings = results.flatMap((result) => result.warnings);
  const commit = async (): Promise<void> => {
    for (const result of results) result.commit();
  };
  const release = async (): Promise<void> => {
    for (const result of results) result.release();
  };
  if (!last) return { columns: [], rows: [], warnings, commit, release };
  const names = last.columns.map((column) => column.name);
  const real = last.columns.map((column) => isRealType(column.type));
  const rows = last.rows.map((row) => names.map((name, index) => renderValue(row[name], real[index])));
  return { columns: names, columnTypes: last.columns.map((column) => column.type), rows, warnings, commit, release };
}

/** Anything the engine threw, as a StatementError with SQLite's code. */
function toStatementError(error: unknown): StatementError {
  if (error instanceof StatementError) return error;
  const failure = error as { message?: unknown; code?: unknown };
  const message = typeof failure?.message === 'string' ? failure.message : String(error);
  return new StatementError(message, typeof failure?.code === 'number' ? failure.code : 1);
}

export class LocalEngine {
  private extensionTables: ExtensionTableSet | undefined;
  private queryTimeoutMs = 24 * 3600 * 1000;
  private defaultIndex = true;
  private warn: (message: string) => void = () => undefined;
  /** Event tables join the engine on first need (a statement naming one, `.tables`, `.schema`). */
  private eventTablesRegistered: Promise<void> | undefined;
  private eventNames: string[] = [];

  private constructor(
    private readonly engine: Engine,
    private readonly definitions: TableDefinition[],
    private readonly events: EventTables,
    private readonly consumer: string,
    private readonly agent: ShellAgentState,
  ) {}

  static async create(options: LocalEngineOptions): Promise<LocalEngine> {
    const { flags } = options;
    const config = options.configView?.config;
    const events = new EventTables(flags, config, options.events, options.warn ?? (() => {}));
    let self: LocalEngine | undefined;
    const agentState = new ShellAgentState(flags, () => options.configView, () => events.registryRows());
    const [{ Engine }, tables] = await Promise.all([
      import('@quarry/sql'),
      ordinaryTables(flags, options.configView, agentState, () => self?.eventNames ?? []),
    ]);
    const engineOptions: EngineOptions = {
      tables,
      // 'consumer': another process publishes into --database_path, so event tables are live, not stale.
      eventsEnabled: () => options.events !== 'off',
      regexMaxSize: flags.number('regex_max_size'),
      carverDisableFunction: flags.bool('carver_disable_function'),
      ...(options.interruptSignal ? { interruptSignal: options.interruptSignal } : {}),
      ...(options.planner && flags.bool('planner') ? { planner: options.planner } : {}),
      ...(flags.number('query_timeout') > 0 ? { queryTimeoutMs: flags.number('query_timeout') * 1000 } : {}),
    };
    const engine = await Engine.create(engineOptions);
    self = new LocalEngine(engine, [...tables], events, options.consumer, agentState);
    if (flags.number('query_timeout') > 0) self.queryTimeoutMs = flags.number('query_timeout') * 1000;
    self.defaultIndex = flags.bool('extensions_default_index');
    self.warn = options.warn ?? (() => undefined);
    if (options.events === 'publisher') {
      await self.registerEventTables();
      await events.startIfPublishing();
    }
    if (flags.bool('enable_foreign')) {
      const { ForeignTableSet } = await import('@quarry/tables');
      new ForeignTableSet(self.engine).apply(true);
    }
    await self.applyAutoTables(config?.auto_table_construction, options.warn ?? (() => {}));
    await self.applyConfigViews(config?.views ?? {}, options.warn ?? (() => {}));
    return self;
  }

  /** The config's auto_table_construction tables (before the views, which may read them). */
  private async applyAutoTables(entries: QuarryConfigAutoTables | undefined, warn: (message: string) => void): Promise<void> {
    if (entries === undefined || Object.keys(entries).length === 0) return;
    const { AtcTableSet } = await import('@quarry/tables');
    for (const warning of new AtcTableSet(this.engine).apply(entries)) warn(warning);
  }

  /** osquery's config `views`, as views of this engine; one warning per view that could not be made. */
  private async applyConfigViews(views: Readonly<Record<string, string>>, warn: (message: string) => void): Promise<void> {
    const texts = Object.values(views);
    if (texts.length === 0) return;
    // A view over an event table needs those tables declared first (they are otherwise declared on first use).
    if (texts.some((sql) => mentionsEventSide(statementWords(sql)))) await this.registerEventTables();
    for (const problem of this.engine.setConfigViews(views)) warn(problem);
  }

  /** Declares the `_events` tables, osquery_events and quarry_buffers to the engine (once). */
  private registerEventTables(): Promise<void> {
    this.eventTablesRegistered ??= this.events.declarations().then((declarations) => {
      const known = new Set(this.definitions.map((table) => table.name));
      for (const table of declarations) {
        if (known.has(table.name)) continue;
        this.engine.register(table);
        this.definitions.push(table);
        this.eventNames.push(table.name);
      }
    });
    return this.eventTablesRegistered;
  }

  /** The extension manager's state: its tables join .tables/.schema and every statement; osquery_extensions lists it. */
  async setExtensions(state: ExtensionsState): Promise<void> {
    this.agent.extensionsState = state;
    const specs = state.tables;
    if (!this.extensionTables) {
      const { ExtensionTableSet } = await import('@quarry/extensions');
      this.extensionTables = new ExtensionTableSet(this.engine, { timeoutMs: this.queryTimeoutMs, maxReplyBytes: 64 * 1024 * 1024, defaultIndex: this.defaultIndex });
    }
    for (const problem of this.extensionTables.apply(specs)) this.warn(problem);
  }

  /** Tables of the engine that are not in `definitions`: the extension tables attached now. */
  private extensionDefinitions(): TableDefinition[] {
    const names = new Set(this.extensionTables?.names() ?? []);
    return this.engine.tables().filter((table) => names.has(table.name.toLowerCase()));
  }

  async execute(sql: string): Promise<StatementOutcome> {
    const words = statementWords(sql);
    if (mentionsEventSide(words)) await this.registerEventTables();
    await this.events.prepareFor(words);
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
    try {
      return toOutcome(this.engine.execute(sql, { consumer: this.consumer, text: true }));
    } catch (error) {
      // Nothing is printed for a failed text: statements that completed before the failing one give back their leases.
      if (error instanceof EngineStatementError) for (const completed of error.completed) completed.release();
      throw error;
    }
  }

  async columnsOf(sql: string): Promise<{ name: string; type: string }[]> {
    if (mentionsEventSide(statementWords(sql))) await this.registerEventTables();
    try {
      return this.engine.columnsOf(sql);
    } catch (error) {
      throw toStatementError(error);
    }
  }

  async tables(): Promise<TableSummary[]> {
    await this.registerEventTables();
    const summaries: TableSummary[] = [];
    for (const table of [...this.definitions, ...this.extensionDefinitions()]) {
      const columns = table.columns.map((column) => column.name);
      summaries.push({ name: table.name, columns });
      for (const alias of table.aliases ?? []) summaries.push({ name: alias, columns });
    }
    return summaries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async schemaOf(name: string): Promise<string | undefined> {
    await this.registerEventTables();
    const table = [...this.definitions, ...this.extensionDefinitions()].find((candidate) => candidate.name === name || candidate.aliases?.includes(name));
    if (!table) return undefined;
    const { schemaOf } = await import('@quarry/sql/schema');
    return schemaOf(table.name === name ? table : { ...table, name });
  }

  interrupt(): void {
    this.engine.interrupt();
  }

  async close(): Promise<void> {
    this.extensionTables?.close();
    await this.events.close();
    this.engine.close();
  }
}
