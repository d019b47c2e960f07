/**
 * An Engine in this thread with the shell's table set. Heavy parts load lazily: event tables are declared up
 * front (so `.tables` and `.schema` list them) but the event store (LMDB) is opened, as a consumer, only when a
 * statement names one of them; the events runtime (publishers) starts only when --disable_events=false.
 */
import type { Flags } from '@quarry/config';
import type { TableDefinition } from '@quarry/sql';
import type { StatementOutcome, TableSummary } from './backend.js';
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
  /** Receives warnings raised outside a statement (event runtime start-up, ...). */
  readonly warn?: (message: string) => void;
}

/** The ordinary tables from @quarry/tables with the shell's AgentState and osquery's table filters. */
async function ordinaryTables(flags: Flags, agent: ShellAgentState, extraTableNames: () => string[]): Promise<TableDefinition[]> {
  const { allTables } = await import('@quarry/tables');
  const text = (name: string): string | undefined => (flags.has(name) ? flags.string(name) : undefined);
  return allTables({
    agent,
    ...(flags.has('read_max') ? { readMax: flags.number('read_max') } : {}),
    extraTableNames,
    ...(text('disable_tables') !== undefined ? { disableTables: text('disable_tables') } : {}),
    ...(text('enable_tables') !== undefined ? { enableTables: text('enable_tables') } : {}),
  });
}

export class LocalEngine {
  private constructor(
    private readonly engine: EngineLike,
    private readonly definitions: readonly TableDefinition[],
    private readonly events: EventTables,
    private readonly consumer: string,
  ) {}

  static async create(options: LocalEngineOptions): Promise<LocalEngine> {
    let eventNames: string[] = [];
    const events = new EventTables(options.flags, options.config, options.events, options.warn ?? (() => {}));
    const agentState = new ShellAgentState(options.flags, () => options.configView, () => events.registryRows());
    const [sqlModule, tables, eventDeclarations] = await Promise.all([
      import('@quarry/sql') as Promise<unknown> as Promise<EngineModule>,
      ordinaryTables(options.flags, agentState, () => eventNames),
      events.declarations(),
    ]);
    const known = new Set(tables.map((table) => table.name));
    const extra = eventDeclarations.filter((table) => !known.has(table.name));
    eventNames = extra.map((table) => table.name);
    const definitions = [...tables, ...extra];
    const engineOptions: Record<string, unknown> = {
      tables: definitions,
      // 'consumer': another process publishes into --database_path, so event tables are live, not stale.
      eventsEnabled: () => options.events !== 'off',
    };
    if (options.interruptFlag) engineOptions.interruptSignal = options.interruptFlag;
    if (options.flags.has('query_timeout') && options.flags.number('query_timeout') > 0) {
      engineOptions.queryTimeoutMs = options.flags.number('query_timeout') * 1000;
    }
    const engine = await sqlModule.Engine.create(engineOptions);
    await events.startIfPublishing();
    return new LocalEngine(engine, definitions, events, options.consumer);
  }

  async execute(sql: string): Promise<StatementOutcome> {
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

  tables(): TableSummary[] {
    const summaries: TableSummary[] = [];
    for (const table of this.definitions) {
      const columns = table.columns.map((column) => column.name);
      summaries.push({ name: table.name, columns });
      for (const alias of table.aliases ?? []) summaries.push({ name: alias, columns });
    }
    return summaries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async schemaOf(name: string): Promise<string | undefined> {
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
