/**
 * How osquery's extra SQL functions are declared and installed: each is a name, an arity (-1 = variadic) and a
 * `run(call)` that reads arguments and sets one result through the FunctionCall. Aggregates (carve) declare
 * `step(call)` per row and `final(call)` for the result instead. Throwing an Error makes the statement fail with
 * that message (sqlite3_result_error), as osquery's functions do.
 */
import { SQLITE } from '../sqlite-runtime.js';
import type { SqlValue } from '../table.js';
import type { WasmBridge } from '../wasm-bridge.js';

/** What a function may ask of the running engine. */
export interface FunctionHost {
  /** Milliseconds left before the running statement's deadline (Infinity outside a statement). */
  remainingMs(): number;
  /** Called when a function stops early because of the deadline; the statement then fails with the deadline error. */
  deadlineReached(): void;
  /** A warning for the running statement's session (osquery logs these as WARNING). */
  warn(message: string): void;
  /** osquery's --regex_max_size in bytes. */
  readonly regexMaxSize: number;
  /** The compiled `pattern` for the running statement (compiled once per statement), lastIndex reset to 0. */
  regex(pattern: string, compile: (pattern: string) => RegExp): RegExp;
  /** osquery's --carver_disable_function (default true): carve() is disabled. */
  readonly carverDisableFunction: boolean;
}

export class FunctionCall {
  private context = 0;
  private argv = 0;
  argc = 0;

  constructor(
    private readonly bridge: WasmBridge,
    readonly host: FunctionHost,
  ) {}

  reset(context: number, argc: number, argv: number): void {
    this.context = context;
    this.argc = argc;
    this.argv = argv;
  }

  private pointer(index: number): number {
    return this.bridge.argument(this.argv, index);
  }

  /** SQLite's storage class of argument `index`: 1 INTEGER, 2 FLOAT, 3 TEXT, 4 BLOB, 5 NULL. */
  type(index: number): number {
    return this.bridge.valueType(this.pointer(index));
  }

  isNull(index: number): boolean {
    return this.type(index) === SQLITE.NULL;
  }

  value(index: number): SqlValue {
    return this.bridge.valueToJs(this.pointer(index));
  }

  /** Argument as text (numbers in SQLite's own text form); null for NULL. */
  text(index: number): string | null {
    return this.bridge.valueText(this.pointer(index));
  }

  /** Argument's bytes (text as UTF-8, blobs raw); null for NULL. */
  bytes(index: number): Uint8Array | null {
    return this.bridge.valueBytes(this.pointer(index));
  }

  /** Argument as SQLite's sqlite3_value_int gives it (text parsed, reals truncated, 32-bit); 0 for NULL. */
  int32(index: number): number {
    return this.bridge.raw.sqlite3_value_int(this.pointer(index)) as number;
  }

  /** Argument as a double (SQLite's numeric conversion); null for NULL. */
  number(index: number): number | null {
    const pointer = this.pointer(index);
    if (this.bridge.valueType(pointer) === SQLITE.NULL) return null;
    return this.bridge.raw.sqlite3_value_double(pointer) as number;
  }

  integer(value: number | bigint): void {
    this.bridge.resultInteger(this.context, value);
  }

  double(value: number): void {
    this.bridge.resultDouble(this.context, value);
  }

  textResult(value: string): void {
    this.bridge.resultText(this.context, value);
  }

  textBytes(value: Uint8Array): void {
    this.bridge.resultTextBytes(this.context, value);
  }

  null(): void {
    this.bridge.resultNull(this.context);
  }

  /** Natural typing: integral numbers → INTEGER, others → REAL, strings → TEXT. */
  result(value: SqlValue | undefined): void {
    this.bridge.resultValue(this.context, value);
  }
}

export interface SqlFunction {
  readonly name: string;
  /** Number of arguments, or -1 for any number. The same name may be declared with several arities. */
  readonly arity: number;
  /** Same inputs → same output (lets SQLite factor calls out). */
  readonly deterministic?: boolean;
  run(call: FunctionCall): void;
}

/** An aggregate: `step` sees each row's arguments (its result is ignored), `final` sets the group's result. */
export interface SqlAggregate {
  readonly name: string;
  readonly arity: number;
  step(call: FunctionCall): void;
  final(call: FunctionCall): void;
}

function isAggregate(fn: SqlFunction | SqlAggregate): fn is SqlAggregate {
  return 'final' in fn;
}

/** Installs functions (scalar or aggregate) on a connection. Throws naming the first function SQLite refused. */
export function installFunctions(
  bridge: WasmBridge,
  db: number,
  host: FunctionHost,
  functions: readonly (SqlFunction | SqlAggregate)[],
): void {
  const call = new FunctionCall(bridge, host);
  const callback = (body: (call: FunctionCall) => void) =>
    bridge.install('v(pip)', (context, argc, argv) => {
      call.reset(context, argc, argv);
      try {
        body(call);
      } catch (error) {
        bridge.resultError(context, error instanceof Error ? error.message : String(error));
      }
    });
  for (const fn of functions) {
    let scalar = 0;
    let step = 0;
    let final = 0;
    if (isAggregate(fn)) {
      step = callback((c) => fn.step(c));
      final = bridge.install('v(p)', (context) => {
        call.reset(context, 0, 0);
        try {
          fn.final(call);
        } catch (error) {
          bridge.resultError(context, error instanceof Error ? error.message : String(error));
        }
      });
    } else {
      scalar = callback((c) => fn.run(c));
    }
    const [name] = bridge.cString(fn.name);
    const deterministic = !isAggregate(fn) && fn.deterministic;
    const flags = SQLITE.UTF8 | (deterministic ? SQLITE.DETERMINISTIC : 0);
    const rc = bridge.raw.sqlite3_create_function_v2(db, name, fn.arity, flags, 0, scalar, step, final, 0);
    bridge.free(name);
    if (rc !== SQLITE.OK) throw new Error(`could not register SQL function ${fn.name}/${fn.arity} (SQLite code ${rc})`);
  }
}
