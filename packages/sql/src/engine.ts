/**
 * The SQL engine: one in-memory sqlite-wasm database whose tables are eponymous virtual tables over
 * TableDefinitions, guarded read-only by an authorizer, bounded by a deadline (progress handler) and a row cap,
 * with osquery's extra SQL functions and version collations.
 */
import { decide, isolationMessage, readOnlyMessage, ACTION, AUTH, ALLOWED_PRAGMAS } from './authorizer.js';
import { installCollations } from './functions/collations.js';
import { osqueryFunctions } from './functions/index.js';
import { installFunctions, type FunctionHost } from './functions/registry.js';
import { RowBuilders, simpleRowBuilder } from './row-builder.js';
import { withColumnAliases } from './column-aliases.js';
import { quoteIdentifier, validateDefinition } from './schema.js';
import { StatementRun, StatementSession } from './session.js';
import { StatementCache, type CachedStatement } from './statement-cache.js';
import { loadSqlite, SQLITE, type Sqlite3 } from './sqlite-runtime.js';
import { QueryError, type Row, type SqlValue, type TableDefinition } from './table.js';
import { prepareTable, VirtualTableModule, type RegisteredTable } from './virtual-table.js';
import { ResultSizeError, TextReuse, WasmBridge } from './wasm-bridge.js';

export interface EngineOptions {
  tables: TableDefinition[];
  /** Per-statement deadline in milliseconds (osquery's --query_timeout × 1000). Default 60 000. */
  queryTimeoutMs?: number;
  /** Most rows one statement may return. Default 1 000 000. */
  rowCap?: number;
  /** Whether event tables have publishers running (false → a warning per event-table query). Default: true. */
  eventsEnabled?: () => boolean;
  /**
   * Optional cross-thread cancel: a non-zero value at index 0 interrupts the running statement (set it with
   * Atomics.store from another thread; the engine resets it to 0 when the next query starts).
   */
  interruptSignal?: Int32Array;
  /** osquery's --regex_max_size: the longest pattern (bytes) regex_match / regex_split accept. Default 256. */
  regexMaxSize?: number;
  /**
   * osquery's --carver_disable_function. Default true: carve() returns 'Carve Failed:'. False: carve() fails with an
   * error (Quarry has no file carver).
   */
  carverDisableFunction?: boolean;
  /**
   * A ceiling on SQLite's own heap (PRAGMA hard_heap_limit, bytes) for this engine's SQLite instance — the sorter,
   * aggregates, CTE queues: memory the JS heap limit of a worker thread does not cover. A statement that would go
   * over fails with SQLITE_NOMEM (code 7, "out of memory") and frees what it took. 0 or absent: no ceiling set.
   * SQLite keeps the ceiling per instance, and each thread loads its own instance: every engine in the thread shares
   * it (quarryd's query workers have one engine each).
   */
  heapLimitBytes?: number;
  /** osquery's --planner: called with one line per xBestIndex / xFilter decision (print as `osquery planner: <line>`). */
  planner?: (line: string) => void;
  /**
   * How many prepared statements to keep for reuse, keyed by the exact SQL text (only texts that are one statement;
   * least recently used dropped first). Default 64; 0 turns the cache off.
   */
  statementCacheSize?: number;
  /**
   * Most bytes of TEXT and BLOB values (plus 8 per value; a BLOB counts three times its bytes, as text each byte may
   * take three) one statement's result may hold, counted before each value is copied out of SQLite: a statement that would go over fails with ResultTooLargeError (code 18, SQLITE_TOOBIG)
   * before the copy is made. 0 or absent: no limit.
   */
  maxResultBytes?: number;
  /**
   * The engine serves several callers one after another (quarryd's pooled query workers): nothing one call sends may
   * change what later calls see. Setting a pragma that changes later queries (case_sensitive_like, journal_mode) is
   * refused, and a transaction or savepoint a call leaves open is rolled back when the call ends. Temp objects and
   * ATTACH are refused on every engine. Default false: the engine is one user's session (the shell), as osqueryi.
   */
  isolateQueries?: boolean;
}

/** SQLite's "string or blob too big" code, used for results over EngineOptions.maxResultBytes. */
export const SQLITE_TOOBIG = 18;

/** A statement's result went over EngineOptions.maxResultBytes; nothing over the limit was copied. */
export class ResultTooLargeError extends QueryError {
  constructor(readonly limitBytes: number) {
    super(`Query result is larger than ${limitBytes} bytes, the result size limit; narrow it with WHERE, LIMIT or fewer columns`, SQLITE_TOOBIG);
    this.name = 'ResultTooLargeError';
  }
}

export interface ColumnInfo {
  readonly name: string;
  /** The declared type (TEXT, INTEGER, BIGINT, UNSIGNED BIGINT, DOUBLE, BLOB, …) or UNKNOWN for expressions. */
  readonly type: string;
}

export interface QueryResult {
  readonly columns: ColumnInfo[];
  /** Rows keyed by column name (duplicate names collapse, as in osquery). Integers beyond 2^53 are bigint. */
  readonly rows: Row[];
  readonly warnings: string[];
  /** Runs the session's afterDelivery hooks; call after the rows were delivered. Idempotent. */
  commit(): void;
  /**
   * The rows will not be delivered: runs the session's onAbandon hooks instead (event tables give back their drain
   * lease, cursors stay). Idempotent; does nothing after commit(), and commit() does nothing after it.
   */
  release(): void;
}

export interface StatementInfo {
  /** The statement's text as written. */
  readonly sql: string;
  /** 1-based line of the statement's first token within the submitted text. */
  readonly line: number;
}

export interface QueryOptions {
  /** Whose event-buffer cursor drains move. Default 'shell'. */
  consumer?: string;
  /** Read event tables without moving the consumer's cursor. */
  peek?: boolean;
  onWarning?: (message: string) => void;
  /** Called after each statement of the text completes, before the next one starts (the shell prints here). */
  onResult?: (result: QueryResult, statement: StatementInfo) => void;
  /**
   * Render every value as osquery prints it: integers as decimal text, doubles with 15 significant digits and a
   * `.0` when they have no '.', blobs as UTF-8 text; NULL stays null (apply --nullvalue yourself).
   */
  text?: boolean;
}

/** A statement failed; carries which statement of a multi-statement text and its line. */
export class StatementError extends QueryError {
  constructor(
    message: string,
    code: number,
    readonly statement: StatementInfo,
    /** Results of the statements that completed before this one. */
    readonly completed: QueryResult[],
  ) {
    super(message, code);
    this.name = 'StatementError';
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_ROW_CAP = 1_000_000;
const DEFAULT_REGEX_MAX_SIZE = 256;
/** Distinct patterns one statement keeps compiled (a pattern built per row must not grow the cache unbounded). */
const REGEX_CACHE_SIZE = 32;
const PROGRESS_INTERVAL = 1000;
const DEFAULT_STATEMENT_CACHE_SIZE = 64;
/** sqlite3_prepare_v3 flag: the statement will be kept and reused. */
const SQLITE_PREPARE_PERSISTENT = 0x01;
/** sqlite3_stmt_status counter: times the statement was re-prepared after a schema change. */
const SQLITE_STMTSTATUS_REPREPARE = 5;
/** Rows a statement returns before its rows are built by a compiled builder (compiling costs ~0.1 ms). */
const COMPILED_BUILDER_AFTER_ROWS = 64;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? String(seconds) : String(Number(seconds.toFixed(3)));
}

export class Engine {
  private readonly bridge: WasmBridge;
  private readonly module: VirtualTableModule;
  private readonly registered: RegisteredTable[] = [];
  private readonly byName = new Map<string, RegisteredTable>();
  private readonly configViews = new Set<string>();
  private readonly queryTimeoutMs: number;
  private readonly rowCap: number;
  private readonly eventsEnabledFn: () => boolean;
  private readonly interruptSignal: Int32Array | undefined;
  private readonly regexMaxSize: number;
  private readonly carverDisableFunction: boolean;
  private readonly heapLimitBytes: number;
  private readonly maxResultBytes: number;
  /** Patterns compiled by regex_match / regex_split during the running statement (cleared per statement). */
  private readonly regexes = new Map<string, RegExp>();
  private run: StatementRun | undefined;
  private trusted = true;
  private refused: string | undefined;
  private refusedSchemaWrite = false;
  private refusedIsolation = false;
  private readonly isolateQueries: boolean;
  private interruptRequested = false;
  private closed = false;
  private readonly scratch: number;
  private readonly rowBuilders = new RowBuilders();
  private readonly statementCache: StatementCache | undefined;

  private constructor(
    sqlite3: Sqlite3,
    private readonly db: number,
    options: EngineOptions,
  ) {
    this.bridge = new WasmBridge(sqlite3);
    this.scratch = this.bridge.malloc(16);
    this.queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.rowCap = options.rowCap ?? DEFAULT_ROW_CAP;
    this.eventsEnabledFn = options.eventsEnabled ?? (() => true);
    this.interruptSignal = options.interruptSignal;
    this.regexMaxSize = options.regexMaxSize ?? DEFAULT_REGEX_MAX_SIZE;
    this.carverDisableFunction = options.carverDisableFunction ?? true;
    const heapLimit = options.heapLimitBytes ?? 0;
    if (!Number.isSafeInteger(heapLimit) || heapLimit < 0) throw new RangeError(`heapLimitBytes must be a whole number of bytes >= 0, got ${heapLimit}`);
    this.heapLimitBytes = heapLimit;
    const maxResult = options.maxResultBytes ?? 0;
    if (!Number.isSafeInteger(maxResult) || maxResult < 0) throw new RangeError(`maxResultBytes must be a whole number of bytes >= 0, got ${maxResult}`);
    this.maxResultBytes = maxResult > 0 ? maxResult : Infinity;
    this.isolateQueries = options.isolateQueries ?? false;
    const cacheSize = new StatementCache(options.statementCacheSize ?? DEFAULT_STATEMENT_CACHE_SIZE);
    this.statementCache = cacheSize.capacity > 0 ? cacheSize : undefined;
    if (!(this.regexMaxSize >= 0)) throw new Error(`regexMaxSize must be a number of bytes, got ${options.regexMaxSize}`);
    if (!(this.queryTimeoutMs > 0)) throw new Error(`queryTimeoutMs must be a positive number of milliseconds, got ${options.queryTimeoutMs}`);
    if (!(this.rowCap > 0)) throw new Error(`rowCap must be a positive number of rows, got ${options.rowCap}`);
    this.module = new VirtualTableModule({
      bridge: this.bridge,
      currentRun: () => this.run,
      tableAt: (index) => this.registered[index],
      eventsEnabled: () => this.eventsEnabledFn(),
      planner: options.planner,
    });
  }

  /** Opens an in-memory database, registers every table (lazily: nothing is built until first use). */
  static async create(options: EngineOptions): Promise<Engine> {
    const sqlite3 = await loadSqlite();
    const holder = sqlite3.wasm.alloc(8);
    let db = 0;
    try {
      const rc = sqlite3.capi.sqlite3_open_v2(':memory:', holder, 0x02 | 0x04, null);
      db = sqlite3.wasm.peekPtr(holder);
      if (rc !== SQLITE.OK) throw new Error(`could not open the in-memory SQLite database (code ${rc})`);
    } finally {
      sqlite3.wasm.dealloc(holder);
    }
    const engine = new Engine(sqlite3, db, options);
    try {
      engine.setUp(options.tables);
    } catch (error) {
      engine.close();
      throw error;
    }
    return engine;
  }

  private setUp(tables: readonly TableDefinition[]): void {
    const raw = this.bridge.raw;
    this.execTrusted('PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=0; PRAGMA temp_store=MEMORY;');
    if (this.heapLimitBytes > 0) this.execTrusted(`PRAGMA hard_heap_limit=${this.heapLimitBytes}`);
    // Extension loading is compiled out of sqlite-wasm; the authorizer refuses load_extension() regardless.
    const host: FunctionHost = {
      remainingMs: () => (this.run ? this.run.remainingMs() : Infinity),
      deadlineReached: () => {
        if (this.run) this.run.stopReason = 'deadline';
      },
      warn: (message) => this.run?.session.warn(message),
      regexMaxSize: this.regexMaxSize,
      carverDisableFunction: this.carverDisableFunction,
      regex: (pattern, compile) => {
        let regex = this.regexes.get(pattern);
        if (!regex) {
          regex = compile(pattern);
          if (this.regexes.size >= REGEX_CACHE_SIZE) this.regexes.clear();
          this.regexes.set(pattern, regex);
        }
        regex.lastIndex = 0;
        return regex;
      },
    };
    installFunctions(this.bridge, this.db, host, osqueryFunctions);
    installCollations(this.bridge, this.db);
    for (const table of tables) this.register(table);
    const authorizer = this.bridge.install('i(pipppp)', (_data, action, p1, p2) => this.authorize(action, p1, p2));
    raw.sqlite3_set_authorizer(this.db, authorizer, 0);
    const progress = this.bridge.install('i(p)', () => this.progress());
    raw.sqlite3_progress_handler(this.db, PROGRESS_INTERVAL, progress, 0);
    this.trusted = false;
  }

  private authorize(action: number, p1: number, p2: number): number {
    if (this.trusted) return AUTH.OK;
    if (action === ACTION.RECURSIVE && this.run) this.run.recursive = true;
    if (action === ACTION.READ || action === ACTION.SELECT) return AUTH.OK;
    const arg1 = this.bridge.readCString(p1);
    const decision = decide(action, arg1, this.bridge.readCString(p2), this.isolateQueries);
    if (decision.allowed) return AUTH.OK;
    // DDL first writes the schema table; name the DDL itself rather than that implied INSERT/UPDATE/DELETE.
    const schemaWrite = /^sqlite_(?:temp_)?(?:master|schema)$/i.test(arg1 ?? '');
    if (this.refused === undefined || this.refusedSchemaWrite) {
      this.refused = decision.refused;
      this.refusedSchemaWrite = schemaWrite;
      this.refusedIsolation = decision.isolation === true;
    }
    return AUTH.DENY;
  }

  private progress(): number {
    const run = this.run;
    if (!run) return 0;
    if (run.stopReason) return 1;
    if (this.interruptRequested || (this.interruptSignal && Atomics.load(this.interruptSignal, 0) !== 0)) {
      run.stopReason = 'interrupt';
      return 1;
    }
    if (performance.now() > run.deadline) {
      run.stopReason = 'deadline';
      return 1;
    }
    return 0;
  }

  /** Registers a table (also after create). Its aliases become views. Throws if the name is taken. */
  register(definition: TableDefinition): void {
    this.assertOpen();
    definition = withColumnAliases(definition);
    validateDefinition(definition);
    const names = [definition.name, ...(definition.aliases ?? [])];
    for (const name of names) {
      if (this.byName.has(name.toLowerCase())) throw new Error(`Table ${name} is already registered; table names must be unique`);
    }
    const table = prepareTable(definition);
    const index = this.registered.length;
    const [name] = this.bridge.cString(definition.name);
    const rc = this.bridge.raw.sqlite3_create_module_v2(this.db, name, this.module.pointer, index, 0);
    this.bridge.free(name);
    if (rc !== SQLITE.OK) throw new Error(`could not register table ${definition.name}: ${this.errorMessage()}`);
    this.registered.push(table);
    for (const alias of names) this.byName.set(alias.toLowerCase(), table);
    // osquery's alias views are `SELECT *`, which leaves out hidden columns, so `WHERE sigrule = …` on the alias
    // `yara` would fail. Quarry's view names every column, hidden ones included; constraints still reach the table.
    const columns = definition.columns.map((column) => `"${column.name.replace(/"/g, '""')}"`).join(', ');
    for (const alias of definition.aliases ?? []) {
      this.execTrusted(`CREATE TEMP VIEW "${alias.replace(/"/g, '""')}" AS SELECT ${columns} FROM "${definition.name.replace(/"/g, '""')}"`);
    }
  }

  /**
   * Removes a table registered without aliases (extension tables come and go with their extension): its module is
   * dropped, so the name is unknown to SQL again and may be registered anew. Kept statements are finalized first.
   * Returns false when no such table is registered.
   */
  unregister(name: string): boolean {
    this.assertOpen();
    const table = this.byName.get(name.toLowerCase());
    if (!table) return false;
    if ((table.definition.aliases ?? []).length > 0) throw new Error(`Table ${name} has aliases and cannot be removed`);
    for (const entry of this.statementCache?.drain() ?? []) this.forget(entry);
    this.byName.delete(name.toLowerCase());
    const keep = [...new Set([...this.byName.values()].map((t) => t.definition.name))];
    const pointers = keep.map((kept) => this.bridge.cString(kept)[0]);
    const array = this.bridge.malloc(4 * (pointers.length + 1));
    try {
      pointers.forEach((pointer, i) => this.bridge.poke32(array + 4 * i, pointer));
      this.bridge.poke32(array + 4 * pointers.length, 0);
      const rc = this.bridge.raw.sqlite3_drop_modules(this.db, array) as number;
      if (rc !== SQLITE.OK) throw new Error(`could not remove table ${name}: ${this.errorMessage()}`);
    } finally {
      for (const pointer of pointers) this.bridge.free(pointer);
      this.bridge.free(array);
    }
    return true;
  }

  /** Every registered table, in registration order. */
  tables(): TableDefinition[] {
    return this.registered.filter((table) => this.byName.get(table.definition.name.toLowerCase()) === table).map((table) => table.definition);
  }

  /** The table registered under `name` or one of its aliases (case-insensitive). */
  table(name: string): TableDefinition | undefined {
    return this.byName.get(name.toLowerCase())?.definition;
  }

  /** Cancels the running statement (checked every 1000 VM steps) and any statements left in the same call. */
  interrupt(): void {
    this.interruptRequested = true;
  }

  /** Runs every statement in `sql` and returns the last one's result (warnings of all statements included). */
  query(sql: string, options: QueryOptions = {}): QueryResult {
    let results: QueryResult[];
    try {
      results = this.execute(sql, options);
    } catch (error) {
      // The caller gets no result to commit: the statements that completed are given up.
      if (error instanceof StatementError) for (const completed of error.completed) completed.release();
      throw error;
    }
    if (results.length === 0) return { columns: [], rows: [], warnings: [], commit: () => undefined, release: () => undefined };
    const last = results[results.length - 1]!;
    const warnings = [...new Set(results.flatMap((result) => result.warnings))];
    return {
      columns: last.columns,
      rows: last.rows,
      warnings,
      commit: () => {
        for (const result of results) result.commit();
      },
      release: () => {
        for (const result of results) result.release();
      },
    };
  }

  /** Runs every statement in `sql`, one result each. A failing statement throws StatementError. */
  execute(sql: string, options: QueryOptions = {}): QueryResult[] {
    this.assertOpen();
    if (this.run) throw new QueryError('The engine is already running a query (queries cannot nest)');
    this.interruptRequested = false;
    if (this.interruptSignal) Atomics.store(this.interruptSignal, 0, 0);
    const cached = this.statementCache?.get(sql);
    if (cached) return [this.runCached(cached, options)];
    const results: QueryResult[] = [];
    // The statements of one call share one drain owner: a later statement never waits for an earlier one's lease.
    const drainToken = crypto.randomUUID();
    const bytes = encoder.encode(sql);
    const base = this.bridge.malloc(bytes.length + 1);
    new Uint8Array(this.bridge.sqlite3.wasm.memory.buffer).set(bytes, base);
    try {
      let offset = 0;
      while (offset < bytes.length) {
        const session = new StatementSession(options.consumer ?? 'shell', options.peek ?? false, options.onWarning, drainToken);
        const run = new StatementRun(session, performance.now() + this.queryTimeoutMs);
        const start = offset;
        let statement = 0;
        let kept: CachedStatement | undefined;
        this.run = run;
        this.refused = undefined;
        this.regexes.clear();
        try {
          if (this.interruptRequested) {
            run.stopReason = 'interrupt';
            throw this.stopError(run);
          }
          const flags = this.statementCache && start === 0 ? SQLITE_PREPARE_PERSISTENT : 0;
          const rc = this.bridge.raw.sqlite3_prepare_v3(this.db, base + offset, bytes.length - offset, flags, this.scratch, this.scratch + 4);
          statement = this.bridge.peek32(this.scratch);
          const tail = this.bridge.peek32(this.scratch + 4);
          offset = tail ? tail - base : bytes.length;
          if (rc !== SQLITE.OK) throw this.failure(rc, run, decoder.decode(bytes.subarray(start, Math.min(bytes.length, start + 200))));
          if (!statement) continue;
          this.checkReadOnly(statement);
          // One statement and nothing after it but separators: keep it prepared for the next call with this text.
          if (flags !== 0 && onlySeparatorsAfter(bytes, offset)) {
            kept = this.keep(sql, statement, run, this.describe(bytes, start, offset));
            statement = 0;
          }
          const result = kept ? this.step(kept.statement, run, options.text === true, kept) : this.step(statement, run, options.text === true);
          results.push(result);
          if (options.onResult) options.onResult(result, this.describe(bytes, start, offset));
        } catch (error) {
          abandonQuietly(session);
          const info = this.describe(bytes, start, offset > start ? offset : bytes.length);
          const failure = error instanceof QueryError ? error : new QueryError(error instanceof Error ? error.message : String(error));
          throw withCause(new StatementError(failure.message, failure.code, info, results), failure instanceof ResultTooLargeError ? failure : failure.cause);
        } finally {
          if (statement) this.bridge.raw.sqlite3_finalize(statement);
          if (kept) this.rewind(kept);
          this.run = undefined;
          this.module.resetPlans();
        }
      }
    } finally {
      this.bridge.free(base);
      this.endCallState();
    }
    return results;
  }

  /**
   * With isolateQueries, ends what a call may leave behind on the connection: an open transaction or savepoint
   * (BEGIN or SAVEPOINT sent alone) is rolled back, so the next caller starts in autocommit mode.
   */
  private endCallState(): void {
    if (!this.isolateQueries || this.bridge.raw.sqlite3_get_autocommit(this.db) !== 0) return;
    this.execTrusted('ROLLBACK');
  }

  /** Declared types of the first statement's result columns, without running it (UNKNOWN for expressions). */
  columnsOf(sql: string): ColumnInfo[] {
    this.assertOpen();
    const [pointer, length] = this.bridge.cString(sql);
    let statement = 0;
    this.refused = undefined;
    try {
      const rc = this.bridge.raw.sqlite3_prepare_v3(this.db, pointer, length, 0, this.scratch, 0);
      statement = this.bridge.peek32(this.scratch);
      if (rc !== SQLITE.OK) throw this.failure(rc, undefined, sql);
      if (!statement) return [];
      return this.columns(statement);
    } finally {
      if (statement) this.bridge.raw.sqlite3_finalize(statement);
      this.bridge.free(pointer);
      this.module.resetPlans();
    }
  }

  /**
   * Runs SQL with the read-only guard lifted. For benchmarks and engine set-up only (e.g. bench/sql/vtab.ts builds a
   * native comparison table with it); never pass user input.
   */
  unsafeExecForBenchmark(sql: string): void {
    this.assertOpen();
    this.execTrusted(sql);
  }

  /**
   * osquery's config `views` (name → SELECT): replaces the views a previous call created with these. Each SQL text must
   * be one read-only statement that the read-only guard allows, as a query would be; a view that is not (or whose
   * name is a table's) is left out with a message in the returned list, and the others are still created. Views are
   * evaluated when queried, so they see the tables' current rows; constraints on a view reach its tables.
   */
  setConfigViews(views: Readonly<Record<string, string>>): string[] {
    this.assertOpen();
    if (this.run) throw new QueryError('The engine is running a query; set config views between queries');
    for (const name of this.configViews) this.execTrusted(`DROP VIEW IF EXISTS temp.${quoteIdentifier(name)}`);
    this.configViews.clear();
    const failures = new Map<string, string>();
    let pending = Object.entries(views);
    // A view may use another one defined later in the config: retry those until a pass creates nothing new.
    for (let created = true; created && pending.length > 0; ) {
      created = false;
      const next: Array<[string, string]> = [];
      for (const [name, sql] of pending) {
        const problem = this.createConfigView(name, sql);
        if (problem === undefined) {
          created = true;
          failures.delete(name);
        } else {
          failures.set(name, problem);
          if (/^no such table: /.test(problem)) next.push([name, sql]);
        }
      }
      pending = next;
    }
    return [...failures].map(([name, problem]) => `config view ${name}: ${problem}`);
  }

  /** Creates one config view; the reason it could not be, if it could not. */
  private createConfigView(name: string, sql: unknown): string | undefined {
    if (typeof sql !== 'string' || sql.trim() === '') return 'its query must be a non-empty SELECT';
    if (this.byName.has(name.toLowerCase())) return 'a table has that name; rename the view';
    try {
      this.checkViewQuery(sql);
      // The text is one statement with nothing after it (checked above); the newline ends a trailing -- comment.
      this.execTrusted(`CREATE TEMP VIEW ${quoteIdentifier(name)} AS ${sql.trim().replace(/;+$/, '')}\n`);
      this.configViews.add(name);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  /** The names of the config views now defined (setConfigViews). */
  configViewNames(): string[] {
    return [...this.configViews];
  }

  /** Compiles `sql` as a user query would be (read-only guard on): exactly one read-only statement, else throws. */
  private checkViewQuery(sql: string): void {
    const bytes = encoder.encode(sql);
    const base = this.bridge.malloc(bytes.length + 1);
    new Uint8Array(this.bridge.sqlite3.wasm.memory.buffer).set(bytes, base);
    let statement = 0;
    this.refused = undefined;
    try {
      const rc = this.bridge.raw.sqlite3_prepare_v3(this.db, base, bytes.length, 0, this.scratch, this.scratch + 4);
      statement = this.bridge.peek32(this.scratch);
      const tail = this.bridge.peek32(this.scratch + 4);
      if (rc !== SQLITE.OK) throw this.failure(rc, undefined, sql);
      if (!statement) throw new QueryError('its query is empty');
      if (tail && !onlySeparatorsAfter(bytes, tail - base)) throw new QueryError('its query must be one statement');
      this.checkReadOnly(statement);
      if (!/^\s*(select|with|values)\b/i.test(sql)) throw new QueryError('its query must be a SELECT');
    } finally {
      if (statement) this.bridge.raw.sqlite3_finalize(statement);
      this.bridge.free(base);
      this.module.resetPlans();
    }
  }

  /** How many prepared statements the engine keeps for reuse right now (see EngineOptions.statementCacheSize). */
  cachedStatementCount(): number {
    return this.statementCache?.size ?? 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.statementCache?.drain() ?? []) this.forget(entry);
    this.bridge.raw.sqlite3_close_v2(this.db);
    this.module.dispose();
    this.bridge.free(this.scratch);
    this.bridge.dispose();
  }

  // ---- internals ----

  private assertOpen(): void {
    if (this.closed) throw new QueryError('The SQL engine was closed');
  }

  /** Runs a kept statement: a fresh session and limits per execution; rewound (reset, bindings cleared) after. */
  private runCached(entry: CachedStatement, options: QueryOptions): QueryResult {
    const session = new StatementSession(options.consumer ?? 'shell', options.peek ?? false, options.onWarning);
    const run = new StatementRun(session, performance.now() + this.queryTimeoutMs);
    run.recursive = entry.recursive;
    this.run = run;
    this.refused = undefined;
    this.regexes.clear();
    try {
      this.rewind(entry);
      const result = this.step(entry.statement, run, options.text === true, entry);
      if (options.onResult) options.onResult(result, entry.info);
      return result;
    } catch (error) {
      abandonQuietly(session);
      const failure = error instanceof QueryError ? error : new QueryError(error instanceof Error ? error.message : String(error));
      throw withCause(new StatementError(failure.message, failure.code, entry.info, []), failure instanceof ResultTooLargeError ? failure : failure.cause);
    } finally {
      this.rewind(entry);
      this.run = undefined;
      this.module.resetPlans();
      this.endCallState();
    }
  }

  /** Adds a just-prepared statement to the cache (its plans pinned); finalizes whatever that pushes out. */
  private keep(sql: string, statement: number, run: StatementRun, info: StatementInfo): CachedStatement {
    const cache = this.statementCache!;
    const planIds = this.module.takeCreatedPlans();
    this.module.pinPlans(planIds);
    const entry: CachedStatement = {
      sql,
      statement,
      info,
      recursive: run.recursive,
      planIds,
      reprepares: this.bridge.raw.sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_REPREPARE, 0) as number,
      columns: undefined,
      names: undefined,
      reuse: undefined,
    };
    for (const evicted of cache.add(entry)) this.forget(evicted);
    return entry;
  }

  /** Back to the start: closes its cursors (ends generators), forgets the last error and any bindings. */
  private rewind(entry: CachedStatement): void {
    this.bridge.raw.sqlite3_reset(entry.statement);
    this.bridge.raw.sqlite3_clear_bindings(entry.statement);
  }

  private forget(entry: CachedStatement): void {
    this.bridge.raw.sqlite3_finalize(entry.statement);
    this.module.unpinPlans(entry.planIds);
  }

  private execTrusted(sql: string): void {
    const wasTrusted = this.trusted;
    const ownsRun = this.run === undefined;
    if (ownsRun) this.run = new StatementRun(new StatementSession('engine', false, undefined), performance.now() + this.queryTimeoutMs);
    this.trusted = true;
    const [pointer] = this.bridge.cString(sql);
    try {
      const rc = this.bridge.raw.sqlite3_exec(this.db, pointer, 0, 0, 0);
      if (rc !== SQLITE.OK) throw this.run ? this.failure(rc, this.run) : new QueryError(this.errorMessage(), rc & 0xff);
    } finally {
      this.bridge.free(pointer);
      this.trusted = wasTrusted;
      if (ownsRun) {
        this.run = undefined;
        this.module.resetPlans();
      }
    }
  }

  private errorMessage(): string {
    return this.bridge.readCString(this.bridge.raw.sqlite3_errmsg(this.db)) ?? 'unknown SQLite error';
  }

  /** Refuses statements that would write even if no authorizer action caught them (e.g. VACUUM). */
  private checkReadOnly(statement: number): void {
    const sql = (this.bridge.readCString(this.bridge.raw.sqlite3_sql(statement)) ?? '').trim();
    // Maintenance statements are refused even when they have nothing to do (and thus compile to no write).
    const maintenance = /^(reindex|analyze|vacuum)\b/i.exec(sql);
    if (maintenance) throw new QueryError(readOnlyMessage(maintenance[1]!.toUpperCase()), SQLITE.AUTH);
    if (this.bridge.raw.sqlite3_stmt_readonly(statement)) return;
    const pragma = /^pragma\s+(?:\w+\.)?(\w+)/i.exec(sql);
    if (pragma && ALLOWED_PRAGMAS.has(pragma[1]!.toLowerCase())) return;
    const verb = /^\w+/.exec(sql)?.[0]?.toUpperCase() ?? 'statement';
    throw new QueryError(readOnlyMessage(verb), SQLITE.AUTH);
  }

  private columns(statement: number): ColumnInfo[] {
    const raw = this.bridge.raw;
    const count = raw.sqlite3_column_count(statement) as number;
    const columns: ColumnInfo[] = [];
    for (let i = 0; i < count; i++) {
      const name = this.bridge.readCString(raw.sqlite3_column_name(statement, i)) ?? `column${i}`;
      const type = this.bridge.readCString(raw.sqlite3_column_decltype(statement, i));
      columns.push({ name, type: type ? type.toUpperCase() : 'UNKNOWN' });
    }
    return columns;
  }

  /** Links result columns that come straight from a virtual-table column to that table's delivered texts. */
  private textReuse(statement: number, count: number): TextReuse {
    const reuse = new TextReuse(count);
    const raw = this.bridge.raw;
    for (let i = 0; i < count; i++) {
      const tableName = this.bridge.readCString(raw.sqlite3_column_table_name(statement, i));
      if (tableName === null) continue;
      const table = this.byName.get(tableName.toLowerCase());
      if (!table || table.definition.name.toLowerCase() !== tableName.toLowerCase()) continue;
      const column = table.names.indexOf(this.bridge.readCString(raw.sqlite3_column_origin_name(statement, i)) ?? '');
      if (column < 0) continue;
      reuse.sources[i] = table.delivered;
      reuse.sourceColumns[i] = column;
    }
    return reuse;
  }

  private step(statement: number, run: StatementRun, asText: boolean, entry?: CachedStatement): QueryResult {
    const raw = this.bridge.raw;
    const bridge = this.bridge;
    // The first step comes before reading column metadata: a kept statement re-prepares there after a schema change.
    let rc: number = raw.sqlite3_step(statement);
    let columns: ColumnInfo[];
    let names: string[];
    let reuse: TextReuse;
    if (entry) {
      const reprepares = raw.sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_REPREPARE, 0) as number;
      if (reprepares !== entry.reprepares) {
        // Re-prepared: its program now refers to the plans xBestIndex just made.
        this.module.unpinPlans(entry.planIds);
        entry.planIds = this.module.takeCreatedPlans();
        this.module.pinPlans(entry.planIds);
        entry.reprepares = reprepares;
        entry.columns = undefined;
      }
      if (!entry.columns || !entry.names || !entry.reuse) {
        entry.columns = this.columns(statement);
        entry.names = entry.columns.map((column) => column.name);
        entry.reuse = this.textReuse(statement, entry.names.length);
      }
      columns = entry.columns.slice();
      names = entry.names;
      reuse = entry.reuse;
    } else {
      columns = this.columns(statement);
      names = columns.map((column) => column.name);
      reuse = this.textReuse(statement, names.length);
    }
    const count = names.length;
    const rows: Row[] = [];
    const cap = this.rowCap;
    // One values array reused for every row; strings are shared where the bytes allow (see columnToJsReusing).
    const values: SqlValue[] = new Array<SqlValue>(count).fill(null);
    // The first rows use the plain builder; a statement that returns more gets the compiled one (see row-builder.ts).
    let build = simpleRowBuilder(names);
    const rowOverhead = count * 8;
    bridge.resultBytesLeft = this.maxResultBytes;
    try {
      for (; rc === SQLITE.ROW; rc = raw.sqlite3_step(statement)) {
        if (rows.length >= cap) {
          const hint = run.recursive ? ' (a recursive CTE without a terminating condition?)' : '';
          throw new QueryError(`Query returned more than ${cap} rows, the row cap${hint}; narrow it with WHERE or LIMIT`);
        }
        bridge.resultBytesLeft -= rowOverhead;
        if (asText) for (let i = 0; i < count; i++) values[i] = bridge.columnToTextReusing(statement, i, reuse);
        else for (let i = 0; i < count; i++) values[i] = bridge.columnToJsReusing(statement, i, reuse);
        rows.push(build(values));
        if (rows.length === COMPILED_BUILDER_AFTER_ROWS) build = this.rowBuilders.get(names);
      }
    } catch (error) {
      if (error instanceof ResultSizeError) throw new ResultTooLargeError(this.maxResultBytes);
      throw error;
    } finally {
      bridge.resultBytesLeft = Infinity;
    }
    if (rc !== SQLITE.DONE) throw this.failure(rc, run);
    if (run.stopReason) throw this.stopError(run);
    const session = run.session;
    return { columns, rows, warnings: session.warnings, commit: () => session.commit(), release: () => session.abandon() };
  }

  private stopError(run: StatementRun): QueryError {
    if (run.stopReason === 'interrupt') return new QueryError('interrupted', SQLITE.INTERRUPT);
    const hint = run.recursive ? ' (a recursive CTE without a terminating condition?)' : '';
    return new QueryError(`Query exceeded the deadline of ${formatSeconds(this.queryTimeoutMs)} seconds (--query_timeout)${hint}`, SQLITE.INTERRUPT);
  }

  private failure(rc: number, run: StatementRun | undefined, sqlText = ''): QueryError {
    if (run?.pendingError) {
      const error = run.pendingError;
      if (error instanceof QueryError) return error;
      // The table's own error stays reachable as `cause` (e.g. quarryd answers a busy event drain with 409).
      const wrapped = new QueryError(error.message);
      wrapped.cause = error;
      return wrapped;
    }
    if (run?.stopReason) return this.stopError(run);
    const primary = rc & 0xff;
    if (primary === SQLITE.AUTH && this.refused) {
      let refused = this.refused;
      if (this.refusedSchemaWrite) {
        // SQLite checks the schema-table write before the DDL action itself; name the DDL from the statement.
        const ddl = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*(create|drop|alter)\s+(?:(temp|temporary)\s+)?(?:(unique)\s+)?(virtual\s+table|table|view|index|trigger)\b/i.exec(sqlText);
        const keyword = /^\s*([a-z]+)/i.exec(sqlText)?.[1];
        refused = ddl
          ? [ddl[1], ddl[2], ddl[3], ddl[4]].filter(Boolean).join(' ').replace(/\s+/g, ' ').toUpperCase()
          : keyword
            ? keyword.toUpperCase()
            : 'schema change';
      }
      return new QueryError(this.refusedIsolation ? isolationMessage(refused) : readOnlyMessage(refused), SQLITE.AUTH);
    }
    const message = this.errorMessage();
    if (/^table \S+ may not be modified$/.test(message)) {
      // SQLite rejects writes to virtual tables before the authorizer sees them; report them the same way.
      const verb = /\b(insert|update|delete|replace)\b/i.exec(sqlText)?.[1]?.toUpperCase() ?? 'write';
      return new QueryError(readOnlyMessage(verb), SQLITE.AUTH);
    }
    if (/^table \S+ may not be altered$/.test(message)) return new QueryError(readOnlyMessage('ALTER TABLE'), SQLITE.AUTH);
    if (message === 'virtual tables may not be indexed') return new QueryError(readOnlyMessage('CREATE INDEX'), SQLITE.AUTH);
    if (/^cannot create triggers? on virtual tables?$/.test(message)) return new QueryError(readOnlyMessage('CREATE TRIGGER'), SQLITE.AUTH);
    return new QueryError(message, primary);
  }

  private describe(bytes: Uint8Array, start: number, end: number): StatementInfo {
    const before = decoder.decode(bytes.subarray(0, start));
    const text = decoder.decode(bytes.subarray(start, end));
    const leading = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/.exec(text)?.[0] ?? '';
    const line = 1 + (before.match(/\n/g)?.length ?? 0) + (leading.match(/\n/g)?.length ?? 0);
    return { sql: text.slice(leading.length).trim(), line };
  }
}

function withCause<T extends Error>(error: T, cause: unknown): T {
  if (cause !== undefined) error.cause = cause;
  return error;
}

/** A failed statement gives up what it holds (drain leases); a hook's own error must not hide the statement's. */
function abandonQuietly(session: StatementSession): void {
  try {
    session.abandon();
  } catch {
    // the statement's error is the one to report; a lease not given back expires
  }
}

/** Whether only whitespace and `;` follow `offset` (the text held exactly one statement). */
function onlySeparatorsAfter(bytes: Uint8Array, offset: number): boolean {
  for (let i = offset; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte !== 0x3b && byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09 && byte !== 0x0c) return false;
  }
  return true;
}
