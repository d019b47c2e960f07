/**
 * osquery's math functions. They replace SQLite's built-in ones where names clash, keeping osquery's behaviour:
 * `log` is the natural logarithm, `ceil`/`floor` return integers (an integer argument comes back unchanged),
 * a result C's libm would flag with errno is an error with the strerror text.
 */
import { SQLITE } from '../sqlite-runtime.js';
import type { FunctionCall, SqlFunction } from './registry.js';

const DOMAIN_ERROR = 'Numerical argument out of domain';
const RANGE_ERROR = 'Numerical result out of range';

/** Mirrors libm's errno: NaN from a number → EDOM; ±Infinity from a finite number → ERANGE. */
function checked(input: number, output: number): number {
  if (Number.isNaN(output) && !Number.isNaN(input)) throw new Error(DOMAIN_ERROR);
  if (!Number.isFinite(output) && !Number.isNaN(output) && Number.isFinite(input)) throw new Error(RANGE_ERROR);
  return output;
}

function unary(name: string, fn: (x: number) => number): SqlFunction {
  return {
    name,
    arity: 1,
    deterministic: true,
    run(call: FunctionCall) {
      const x = call.number(0);
      if (x === null) return call.null();
      call.double(checked(x, fn(x)));
    },
  };
}

function rounding(name: string, fn: (x: number) => number): SqlFunction {
  return {
    name,
    arity: 1,
    deterministic: true,
    run(call: FunctionCall) {
      const type = call.type(0);
      if (type === SQLITE.NULL) return call.null();
      if (type === SQLITE.INTEGER) return call.result(call.value(0));
      const x = call.number(0)!;
      const rounded = fn(x);
      call.integer(Number.isFinite(rounded) ? BigInt(rounded) : 0n);
    },
  };
}

export const mathFunctions: readonly SqlFunction[] = [
  unary('sqrt', Math.sqrt),
  unary('acos', Math.acos),
  unary('asin', Math.asin),
  unary('atan', Math.atan),
  unary('cos', Math.cos),
  unary('sin', Math.sin),
  unary('tan', Math.tan),
  unary('cot', (x) => 1 / Math.tan(x)),
  unary('exp', Math.exp),
  unary('log', Math.log),
  unary('log10', Math.log10),
  unary('degrees', (x) => (x * 180) / Math.PI),
  unary('radians', (x) => (x * Math.PI) / 180),
  rounding('ceil', Math.ceil),
  rounding('floor', Math.floor),
  {
    name: 'power',
    arity: 2,
    deterministic: true,
    run(call) {
      const x = call.number(0);
      const y = call.number(1);
      if (x === null || y === null) return call.null();
      call.double(checked(x + y, Math.pow(x, y)));
    },
  },
  {
    name: 'pi',
    arity: 0,
    deterministic: true,
    run(call) {
      call.double(Math.PI);
    },
  },
];
