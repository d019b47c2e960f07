/** The engine in this thread: one-shot runs (no Ctrl-C handling needed: SIGINT ends the process). */
import type { ExtensionsState, QueryBackend, StatementOutcome, TableSummary } from './backend.js';
import { LocalEngine, type LocalEngineOptions } from './local-engine.js';

export class InProcessBackend implements QueryBackend {
  readonly description = 'local';

  private constructor(private readonly engine: LocalEngine) {}

  static async create(options: LocalEngineOptions): Promise<InProcessBackend> {
    return new InProcessBackend(await LocalEngine.create(options));
  }

  execute(sql: string): Promise<StatementOutcome> {
    return this.engine.execute(sql);
  }

  tables(): Promise<TableSummary[]> {
    return this.engine.tables();
  }

  columnsOf(sql: string): Promise<{ name: string; type: string }[]> {
    return this.engine.columnsOf(sql);
  }

  schemaOf(table: string): Promise<string | undefined> {
    return this.engine.schemaOf(table);
  }

  async setExtensions(state: ExtensionsState): Promise<void> {
    await this.engine.setExtensions(state);
  }

  interrupt(): void {
    this.engine.interrupt();
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}
