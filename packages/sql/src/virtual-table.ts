/**
 * The bridge between TableDefinitions and SQLite: one sqlite3_module struct per engine, registered once per table
 * name as an eponymous-only module (xCreate = NULL, so `SELECT * FROM name` works without CREATE VIRTUAL TABLE and
 * nothing is built until a statement first names the table).
 *
 * xBestIndex pushes usable =, IN, LIKE, GLOB and range constraints on INDEX / REQUIRED / ADDITIONAL columns (range
 * operators only on non-TEXT columns, as osquery); IN lists are consumed whole (sqlite3_vtab_in) and arrive as one
 * '=' constraint per value. xFilter builds the QueryContext and starts the generator.
 */
import { columnEquals, columnKind, toColumnValue, type ColumnKind } from './column-values.js';
import { OPERATOR_BY_CODE, TableQueryContext } from './query-context.js';
import { columnText } from './schema.js';
import type { StatementRun } from './session.js';
import { SQLITE } from './sqlite-runtime.js';
import { QueryError, type ColumnDefinition, type Constraint, type ConstraintOperator, type Row, type SqlValue, type TableDefinition } from './table.js';
import { TextSlots, type WasmBridge } from './wasm-bridge.js';

const MODULE_SIZE = 100;
const VTAB_SIZE = 12;
const CURSOR_SIZE = 4;
const REQUIRED_MISSING_COST = 1e6;

/** Offsets inside sqlite3_module (wasm32). */
const MODULE_OFFSET = {
  iVersion: 0,
  xCreate: 4,
  xConnect: 8,
  xBestIndex: 12,
  xDisconnect: 16,
  xDestroy: 20,
  xOpen: 24,
  xClose: 28,
  xFilter: 32,
  xNext: 36,
  xEof: 40,
  xColumn: 44,
  xRowid: 48,
} as const;

/** A registered table, with everything xColumn needs precomputed. */
export interface RegisteredTable {
  readonly definition: TableDefinition;
  readonly names: readonly string[];
  readonly kinds: readonly ColumnKind[];
  readonly pushable: readonly boolean[];
  readonly hasRequired: boolean;
  readonly declaration: string;
  /** The last string each column delivered as TEXT (any cursor): result rows reuse it when the bytes match. */
  readonly delivered: Array<string | undefined>;
}

export function prepareTable(definition: TableDefinition): RegisteredTable {
  return {
    definition,
    names: definition.columns.map((column) => column.name),
    kinds: definition.columns.map((column) => columnKind(column.type)),
    pushable: definition.columns.map((column) => Boolean(column.index || column.required || column.additional)),
    hasRequired: definition.columns.some((column) => column.required),
    // Declared without osquery's PRIMARY KEY / WITHOUT ROWID: SQLite would otherwise mark key columns as used in
    // colUsed, and a read-only table gains nothing from a key. `.schema` text comes from schemaOf().
    declaration: `CREATE TABLE ${definition.name}(${definition.columns.map(columnText).join(', ')})`,
    delivered: new Array<string | undefined>(definition.columns.length).fill(undefined),
  };
}

interface PlanTerm {
  readonly column: number;
  readonly operator: ConstraintOperator;
  /** An IN list consumed whole: every value becomes an '=' constraint, and the engine checks rows itself. */
  readonly inList: boolean;
}

interface Plan {
  readonly terms: readonly PlanTerm[];
  readonly columnsUsed: ReadonlySet<string>;
}

interface InFilter {
  readonly column: number;
  readonly values: SqlValue[];
}

interface Cursor {
  readonly vtab: number;
  readonly table: RegisteredTable;
  iterator: Iterator<Row> | undefined;
  row: Row | undefined;
  rowid: number;
  done: boolean;
  inFilters: InFilter[];
  /** Encoded text per column, reused while a column repeats its value. */
  readonly textSlots: TextSlots;
}

/** What the module needs from its engine. */
export interface ModuleHost {
  readonly bridge: WasmBridge;
  /** The statement currently running (undefined during prepare-only calls such as columnsOf). */
  currentRun(): StatementRun | undefined;
  tableAt(index: number): RegisteredTable | undefined;
  eventsEnabled(): boolean;
  /** Receives planner lines when set (the shell's --planner prints them to stderr). */
  planner?: ((line: string) => void) | undefined;
}

export class VirtualTableModule {
  readonly pointer: number;
  private readonly vtabs = new Map<number, RegisteredTable>();
  private readonly cursors = new Map<number, Cursor>();
  private readonly plans = new Map<number, Plan>();
  /** Plans of statements the engine keeps prepared (its statement cache): kept across resetPlans(). */
  private readonly pinned = new Set<number>();
  /** Plan ids made since the last takeCreatedPlans() / resetPlans(). */
  private created: number[] = [];
  private nextPlan = 1;
  private lastCursorPointer = 0;
  private lastCursor: Cursor | undefined;

  constructor(private readonly host: ModuleHost) {
    const bridge = host.bridge;
    this.pointer = bridge.malloc(MODULE_SIZE);
    bridge.poke32(this.pointer + MODULE_OFFSET.iVersion, 1);
    const install = (offset: number, signature: string, fn: (...args: number[]) => number) =>
      bridge.poke32(this.pointer + offset, bridge.install(signature, fn));
    install(MODULE_OFFSET.xConnect, 'i(ppippp)', (db, aux, _argc, _argv, ppVtab, pzErr) => this.connect(db, aux, ppVtab, pzErr));
    install(MODULE_OFFSET.xBestIndex, 'i(pp)', (vtab, info) => this.bestIndex(vtab, info));
    const disconnect = (vtab: number) => {
      this.vtabs.delete(vtab);
      const message = bridge.peek32(vtab + 8);
      if (message) bridge.free(message);
      bridge.free(vtab);
      return SQLITE.OK;
    };
    install(MODULE_OFFSET.xDisconnect, 'i(p)', disconnect);
    install(MODULE_OFFSET.xOpen, 'i(pp)', (vtab, ppCursor) => this.open(vtab, ppCursor));
    install(MODULE_OFFSET.xClose, 'i(p)', (cursor) => this.close(cursor));
    install(MODULE_OFFSET.xFilter, 'i(pipip)', (cursor, idxNum, _idxStr, argc, argv) => this.filter(cursor, idxNum, argc, argv));
    install(MODULE_OFFSET.xNext, 'i(p)', (cursor) => this.next(cursor));
    install(MODULE_OFFSET.xEof, 'i(p)', (cursor) => (this.cursor(cursor).done ? 1 : 0));
    install(MODULE_OFFSET.xColumn, 'i(ppi)', (cursor, context, column) => this.column(cursor, context, column));
    install(MODULE_OFFSET.xRowid, 'i(pp)', (cursor, pRowid) => {
      bridge.pokeInt64(pRowid, BigInt(this.cursor(cursor).rowid));
      return SQLITE.OK;
    });
  }

  /** Forget query plans (called when a statement is finalized; plans never outlive their statement). */
  resetPlans(): void {
    if (this.cursors.size !== 0) return;
    this.created = [];
    if (this.pinned.size === 0) {
      this.plans.clear();
      return;
    }
    for (const id of this.plans.keys()) if (!this.pinned.has(id)) this.plans.delete(id);
  }

  /** Plan ids xBestIndex made since the last call (the statement being prepared or re-prepared owns them). */
  takeCreatedPlans(): number[] {
    const created = this.created;
    this.created = [];
    return created;
  }

  /** Keeps these plans until unpinPlans (their statement stays prepared between executions). */
  pinPlans(ids: readonly number[]): void {
    for (const id of ids) this.pinned.add(id);
  }

  /** Forgets these plans (their statement was finalized or re-prepared with new ones). */
  unpinPlans(ids: readonly number[]): void {
    for (const id of ids) {
      this.pinned.delete(id);
      this.plans.delete(id);
    }
  }

  dispose(): void {
    this.host.bridge.free(this.pointer);
  }

  private connect(db: number, aux: number, ppVtab: number, pzErr: number): number {
    const bridge = this.host.bridge;
    const table = this.host.tableAt(aux);
    if (!table) return SQLITE.ERROR;
    const [sql] = bridge.cString(table.declaration);
    const rc = bridge.raw.sqlite3_declare_vtab(db, sql);
    bridge.free(sql);
    if (rc !== SQLITE.OK) {
      bridge.poke32(pzErr, bridge.cString(`cannot declare table ${table.definition.name}: ${table.declaration}`)[0]);
      return rc;
    }
    const vtab = bridge.malloc(VTAB_SIZE);
    this.vtabs.set(vtab, table);
    bridge.poke32(ppVtab, vtab);
    return SQLITE.OK;
  }

  private bestIndex(vtab: number, info: number): number {
    const bridge = this.host.bridge;
    const table = this.vtabs.get(vtab);
    if (!table) return SQLITE.ERROR;
    const count = bridge.peek32(info) | 0;
    const constraints = bridge.peek32(info + 4);
    const usage = bridge.peek32(info + 16);
    const terms: PlanTerm[] = [];
    let equalities = 0;
    let requiredSatisfied = false;
    for (let i = 0; i < count; i++) {
      const entry = constraints + 12 * i;
      const column = bridge.peek32(entry) | 0;
      const opCode = bridge.peek8(entry + 4);
      const usable = bridge.peek8(entry + 5);
      if (!usable || column < 0 || !table.pushable[column]) continue;
      const operator = OPERATOR_BY_CODE.get(opCode);
      if (!operator) continue;
      const definition = table.definition.columns[column]!;
      const isRange = operator === '<' || operator === '<=' || operator === '>' || operator === '>=';
      if (isRange && table.kinds[column] === 'text') continue;
      let inList = false;
      if (operator === '=' && bridge.raw.sqlite3_vtab_in(info, i, -1)) {
        inList = bridge.raw.sqlite3_vtab_in(info, i, 1) !== 0;
      }
      terms.push({ column, operator, inList });
      bridge.poke32(usage + 8 * i, terms.length);
      bridge.poke8(usage + 8 * i + 4, inList ? 1 : 0);
      if (operator === '=') equalities++;
      if (definition.required) requiredSatisfied = true;
    }
    const used = bridge.peekUint64(info + 64);
    const columnsUsed = new Set<string>();
    table.names.forEach((name, index) => {
      const bit = index < 63 ? 1n << BigInt(index) : 1n << 63n;
      if (used & bit) columnsUsed.add(name);
    });
    const planId = this.nextPlan++;
    if (this.nextPlan > 0x3fffffff) this.nextPlan = 1;
    while (this.pinned.has(this.nextPlan)) this.nextPlan++;
    this.plans.set(planId, { terms, columnsUsed });
    this.created.push(planId);
    bridge.poke32(info + 20, planId);
    let cost: number;
    let rows: number;
    if (table.hasRequired && !requiredSatisfied) {
      cost = REQUIRED_MISSING_COST;
      rows = REQUIRED_MISSING_COST;
    } else if (equalities > 0) {
      cost = 10 / equalities;
      rows = 10;
    } else if (terms.length > 0) {
      cost = 100;
      rows = 100;
    } else {
      cost = 1000;
      rows = 1000;
    }
    this.host.planner?.(
      `xBestIndex ${table.definition.name}: ${count} constraint(s) offered, pushed [${terms
        .map((term) => `${table.names[term.column]} ${term.operator}${term.inList ? ' (IN list)' : ''}`)
        .join(', ')}], cost ${cost}, plan ${planId}`,
    );
    bridge.pokeDouble(info + 40, cost);
    bridge.pokeInt64(info + 48, BigInt(rows));
    return SQLITE.OK;
  }

  private open(vtab: number, ppCursor: number): number {
    const table = this.vtabs.get(vtab);
    if (!table) return SQLITE.ERROR;
    const pointer = this.host.bridge.malloc(CURSOR_SIZE);
    this.cursors.set(pointer, {
      vtab,
      table,
      iterator: undefined,
      row: undefined,
      rowid: 0,
      done: true,
      inFilters: [],
      textSlots: new TextSlots(table.names.length),
    });
    this.host.bridge.poke32(ppCursor, pointer);
    return SQLITE.OK;
  }

  private close(pointer: number): number {
    const cursor = this.cursors.get(pointer);
    if (cursor) {
      this.finishIterator(cursor);
      this.host.bridge.releaseTextSlots(cursor.textSlots);
      // Do not keep the last row's strings alive between queries (the result rows hold what they need).
      cursor.table.delivered.fill(undefined);
    }
    this.cursors.delete(pointer);
    if (this.lastCursorPointer === pointer) {
      this.lastCursorPointer = 0;
      this.lastCursor = undefined;
    }
    this.host.bridge.free(pointer);
    return SQLITE.OK;
  }

  private cursor(pointer: number): Cursor {
    if (pointer === this.lastCursorPointer) return this.lastCursor!;
    const cursor = this.cursors.get(pointer)!;
    this.lastCursorPointer = pointer;
    this.lastCursor = cursor;
    return cursor;
  }

  private finishIterator(cursor: Cursor): void {
    const iterator = cursor.iterator;
    cursor.iterator = undefined;
    cursor.row = undefined;
    cursor.done = true;
    try {
      iterator?.return?.();
    } catch {
      // A generator's cleanup failing must not mask the statement's own outcome.
    }
  }

  /** Records an error for the statement and SQLite's copy of its message on the vtab. */
  private fail(cursor: Cursor, error: unknown): number {
    const bridge = this.host.bridge;
    const failure = error instanceof Error ? error : new Error(String(error));
    const run = this.host.currentRun();
    if (run && !run.pendingError) run.pendingError = failure;
    const previous = bridge.peek32(cursor.vtab + 8);
    if (previous) bridge.free(previous);
    bridge.poke32(cursor.vtab + 8, bridge.cString(failure.message)[0]);
    this.finishIterator(cursor);
    return failure instanceof QueryError && failure.code === SQLITE.CONSTRAINT ? SQLITE.CONSTRAINT : SQLITE.ERROR;
  }

  private filter(pointer: number, planId: number, argc: number, argv: number): number {
    const cursor = this.cursor(pointer);
    const bridge = this.host.bridge;
    const table = cursor.table;
    const definition = table.definition;
    this.finishIterator(cursor);
    cursor.rowid = 0;
    cursor.inFilters = [];
    try {
      const run = this.host.currentRun();
      if (!run) throw new QueryError(`Table ${definition.name} was read outside a query`);
      const plan = this.plans.get(planId) ?? { terms: [], columnsUsed: new Set(table.names) };
      const constraints: Constraint[] = [];
      let requiredConstrained = false;
      for (let i = 0; i < plan.terms.length && i < argc; i++) {
        const term = plan.terms[i]!;
        const column = table.names[term.column]!;
        const value = bridge.argument(argv, i);
        if (term.inList) {
          const values = this.inListValues(value);
          cursor.inFilters.push({ column: term.column, values });
          for (const item of values) constraints.push({ column, operator: '=', value: item });
        } else {
          constraints.push({ column, operator: term.operator, value: bridge.valueToJs(value) });
        }
        if (definition.columns[term.column]!.required) requiredConstrained = true;
      }
      if (definition.attributes?.eventBased && !this.host.eventsEnabled() && !run.warnedTables.has(definition.name)) {
        run.warnedTables.add(definition.name);
        run.session.warn(`Table ${definition.name} is event-based but events are disabled`);
      }
      if (table.hasRequired && !requiredConstrained) {
        throw new QueryError(`Table ${definition.name} was queried without a required column in the WHERE clause`, SQLITE.CONSTRAINT);
      }
      this.host.planner?.(
        `xFilter ${definition.name} plan ${planId}: [${constraints.map((c) => `${c.column} ${c.operator} ${String(c.value)}`).join(', ')}]`,
      );
      const context = new TableQueryContext(definition.name, constraints, plan.columnsUsed, run.session);
      cursor.iterator = definition.generate(context)[Symbol.iterator]();
      cursor.done = false;
      this.advance(cursor);
      return SQLITE.OK;
    } catch (error) {
      return this.fail(cursor, error);
    }
  }

  private inListValues(list: number): SqlValue[] {
    const bridge = this.host.bridge;
    const values: SqlValue[] = [];
    const out = bridge.malloc(4);
    try {
      let rc = bridge.raw.sqlite3_vtab_in_first(list, out);
      while (rc === SQLITE.OK) {
        values.push(bridge.valueToJs(bridge.peek32(out)));
        rc = bridge.raw.sqlite3_vtab_in_next(list, out);
      }
    } finally {
      bridge.free(out);
    }
    return values;
  }

  /** Moves to the next generator row that passes the IN lists the engine consumed. */
  private advance(cursor: Cursor): void {
    const iterator = cursor.iterator!;
    for (;;) {
      const step = iterator.next();
      if (step.done) {
        cursor.done = true;
        cursor.row = undefined;
        return;
      }
      cursor.rowid++;
      if (cursor.inFilters.length === 0 || this.passesInFilters(cursor, step.value)) {
        cursor.row = step.value;
        return;
      }
    }
  }

  private passesInFilters(cursor: Cursor, row: Row): boolean {
    const table = cursor.table;
    for (const filter of cursor.inFilters) {
      const column: ColumnDefinition = table.definition.columns[filter.column]!;
      const kind = table.kinds[filter.column]!;
      const value = toColumnValue(row[column.name], kind);
      if (!filter.values.some((candidate) => columnEquals(value, candidate, column, kind))) return false;
    }
    return true;
  }

  private next(pointer: number): number {
    const cursor = this.cursor(pointer);
    if (cursor.done) return SQLITE.OK;
    try {
      this.advance(cursor);
      return SQLITE.OK;
    } catch (error) {
      return this.fail(cursor, error);
    }
  }

  private column(pointer: number, context: number, index: number): number {
    const cursor = this.cursor(pointer);
    const table = cursor.table;
    const bridge = this.host.bridge;
    const value = cursor.row?.[table.names[index]!];
    const kind = table.kinds[index]!;
    if (value === undefined || value === null) {
      bridge.resultNull(context);
    } else if (kind === 'text' && typeof value === 'string') {
      bridge.resultTextInSlot(context, value, cursor.textSlots, index);
      table.delivered[index] = value;
    } else if (kind === 'integer' && typeof value === 'number' && (value | 0) === value) {
      bridge.raw.sqlite3_result_int(context, value);
    } else {
      const converted = toColumnValue(value, kind);
      if (converted === null) bridge.resultNull(context);
      else if (typeof converted === 'string') bridge.resultText(context, converted);
      else if (typeof converted === 'bigint') bridge.resultInteger(context, converted);
      else if (typeof converted === 'number') {
        if (kind === 'double') bridge.resultDouble(context, converted);
        else bridge.resultInteger(context, converted);
      } else bridge.resultBlob(context, converted);
    }
    return SQLITE.OK;
  }
}
