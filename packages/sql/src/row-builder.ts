/**
 * Builds result Row objects for one statement's column names.
 *
 * Adding N properties one by one to `{}` walks N hidden-class transitions and regrows the out-of-object property
 * store several times per row (garbage for the GC on every row of a large result). A function compiled once per
 * column list that returns an object literal allocates each row in one step with its final shape. Semantics match
 * the assignment loop: keys in SELECT order, a duplicate name keeps its first position and its last value.
 * Where code generation is unavailable (--disallow-code-generation-from-strings) the loop is used.
 */
import type { Row, SqlValue } from './table.js';

export type RowBuilder = (values: readonly SqlValue[]) => Row;

const MAX_COMPILED = 256;
/** Literal rows beyond this many properties gain nothing (V8 keeps them in dictionary mode anyway). */
const MAX_LITERAL_COLUMNS = 128;

function assigningBuilder(names: readonly string[]): RowBuilder {
  if (names.includes('__proto__')) {
    // A column named __proto__ is a property like any other (plain assignment would set the prototype instead).
    return (values) => {
      const row: Row = {};
      for (let i = 0; i < names.length; i++) {
        Object.defineProperty(row, names[i]!, { value: values[i]!, writable: true, enumerable: true, configurable: true });
      }
      return row;
    };
  }
  return (values) => {
    const row: Row = {};
    for (let i = 0; i < names.length; i++) row[names[i]!] = values[i]!;
    return row;
  };
}

function literalBuilder(names: readonly string[]): RowBuilder | undefined {
  try {
    // Keys are JSON string literals (valid JS). `__proto__` must be a computed key, or the literal would set the
    // prototype instead of defining a property.
    const properties = names.map((name, i) => `${name === '__proto__' ? '["__proto__"]' : JSON.stringify(name)}: v[${i}]`);
    return new Function('v', `"use strict"; return { ${properties.join(', ')} };`) as RowBuilder;
  } catch {
    return undefined;
  }
}

/** Compiled builders by column list, owned by one engine (bounded: a daemon runs an open-ended set of queries). */
export class RowBuilders {
  private readonly compiled = new Map<string, RowBuilder>();

  /** The fastest available builder for rows with these column names (compiled once per column list). */
  get(names: readonly string[]): RowBuilder {
    if (names.length === 0 || names.length > MAX_LITERAL_COLUMNS) return assigningBuilder(names);
    const key = JSON.stringify(names);
    let builder = this.compiled.get(key);
    if (builder === undefined) {
      builder = literalBuilder(names) ?? assigningBuilder(names);
      if (this.compiled.size >= MAX_COMPILED) this.compiled.delete(this.compiled.keys().next().value!);
      this.compiled.set(key, builder);
    }
    return builder;
  }
}

/** The plain assignment builder (cheapest to obtain: used for the first rows of a statement). */
export function simpleRowBuilder(names: readonly string[]): RowBuilder {
  return assigningBuilder(names);
}
