/**
 * The interactive shell's backend: the engine runs in a worker thread. interrupt() raises the shared flag the
 * engine polls; if the statement does not stop within a grace period (an engine without that support, or a
 * table generator stuck outside SQLite), the worker is terminated and a fresh one started.
 */
import { Worker } from 'node:worker_threads';
import { type ExtensionsState, type QueryBackend, StatementError, type StatementOutcome, type TableSummary } from './backend.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

const INTERRUPT_GRACE_MS = 750;

type Waiter = { resolve: (message: FromWorker) => void; reject: (error: Error) => void };

export class WorkerBackend implements QueryBackend {
  readonly description = 'local (engine thread)';
  private worker!: Worker;
  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();
  private readonly flag: Int32Array;
  private running: number | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private cachedTables: TableSummary[] | undefined;
  /** The extension manager's state, sent again to a restarted engine thread. */
  private extensionsState: ExtensionsState | undefined;

  private constructor(
    private readonly init: WorkerInit,
    private readonly onWarning: (message: string) => void,
  ) {
    this.flag = new Int32Array(init.interruptBuffer);
  }

  static async create(options: Omit<WorkerInit, 'interruptBuffer'>, onWarning: (message: string) => void): Promise<WorkerBackend> {
    const init: WorkerInit = { ...options, interruptBuffer: new SharedArrayBuffer(4) };
    // The event database is opened in the engine thread, which is restarted after a runaway statement: node-liblmdb's
    // process-wide registry must exist in this thread first, so every engine thread inherits it and attaches to the
    // one LMDB environment instead of opening it twice (a tiny module; it loads no native code).
    await import('node-liblmdb/process-registry');
    const backend = new WorkerBackend(init, onWarning);
    await backend.spawn();
    return backend;
  }

  private spawn(): Promise<void> {
    Atomics.store(this.flag, 0, 0);
    this.worker = new Worker(new URL('./engine-worker.js', import.meta.url), { workerData: this.init });
    return new Promise((resolve, reject) => {
      const worker = this.worker;
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          // A restarted engine thread gets the extension tables back before it takes the next statement.
          const state = this.extensionsState;
          if (state) this.request({ type: 'extensions', id: this.nextId++, state }).then(() => resolve(), reject);
          else resolve();
        }
        else if (message.type === 'fatal') reject(new Error(message.message));
        else if (message.type === 'warning') this.onWarning(message.message);
        else if (message.type === 'planner') process.stderr.write(`osquery planner: ${message.line}\n`);
        else {
          const waiter = this.waiters.get(message.id);
          this.waiters.delete(message.id);
          waiter?.resolve(message);
        }
      });
      worker.on('error', (error) => {
        reject(error);
        this.failAll(error.message);
      });
      worker.on('exit', () => {
        if (worker === this.worker) this.failAll('the engine thread stopped');
      });
    });
  }

  private failAll(message: string): void {
    for (const [id, waiter] of this.waiters) {
      this.waiters.delete(id);
      waiter.reject(new StatementError(message, 1));
    }
  }

  private request(message: ToWorker): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      this.waiters.set(message.id, { resolve, reject });
      this.worker.postMessage(message);
    });
  }

  async execute(sql: string): Promise<StatementOutcome> {
    const id = this.nextId++;
    this.running = id;
    let reply: FromWorker;
    try {
      reply = await this.request({ type: 'execute', id, sql });
    } finally {
      this.running = undefined;
      if (this.restartTimer) clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      Atomics.store(this.flag, 0, 0);
    }
    if (reply.type === 'error') throw new StatementError(reply.message, reply.code, reply.warnings);
    if (reply.type !== 'result') throw new StatementError('unexpected reply from the engine thread', 1);
    const outcome = reply.outcome;
    return {
      ...outcome,
      commit: async () => {
        await this.request({ type: 'commit', id });
      },
      release: async () => {
        await this.request({ type: 'discard', id });
      },
    };
  }

  async tables(): Promise<TableSummary[]> {
    if (this.cachedTables) return this.cachedTables;
    const reply = await this.request({ type: 'tables', id: this.nextId++ });
    this.cachedTables = reply.type === 'tables' ? reply.tables : [];
    return this.cachedTables;
  }

  /** Table summaries already fetched (for Tab completion, which is synchronous). */
  knownTables(): TableSummary[] {
    return this.cachedTables ?? [];
  }

  async columnsOf(sql: string): Promise<{ name: string; type: string }[]> {
    const reply = await this.request({ type: 'columns', id: this.nextId++, sql });
    if (reply.type === 'error') throw new StatementError(reply.message, reply.code);
    return reply.type === 'columns' ? reply.columns : [];
  }

  async schemaOf(table: string): Promise<string | undefined> {
    const reply = await this.request({ type: 'schema', id: this.nextId++, table });
    return reply.type === 'schema' ? reply.schema : undefined;
  }

  async setExtensions(state: ExtensionsState): Promise<void> {
    this.extensionsState = state;
    this.cachedTables = undefined;
    await this.request({ type: 'extensions', id: this.nextId++, state });
  }

  interrupt(): void {
    const id = this.running;
    if (id === undefined) return;
    Atomics.store(this.flag, 0, 1);
    this.restartTimer ??= setTimeout(() => {
      this.restartTimer = undefined;
      if (this.running !== id) return;
      // The engine did not stop in time: end the thread and start a fresh one (session state such as
      // temporary views is lost; event cursors are safe because nothing was committed).
      const stuck = this.worker;
      const waiter = this.waiters.get(id);
      this.waiters.delete(id);
      void stuck.terminate();
      this.spawn().then(
        () => waiter?.reject(new StatementError('interrupted', 9)),
        (error: Error) => waiter?.reject(new StatementError(`interrupted; restarting the engine failed: ${error.message}`, 9)),
      );
    }, INTERRUPT_GRACE_MS);
  }

  async close(): Promise<void> {
    try {
      await Promise.race([
        this.request({ type: 'close', id: this.nextId++ }),
        new Promise((resolve) => setTimeout(resolve, 3000).unref()),
      ]);
    } catch {
      // the worker is gone already
    }
    await this.worker.terminate();
  }
}
