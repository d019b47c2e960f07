/**
 * The parts of @quarry/sql's Engine the shell uses, written structurally so the shell adapts to small shape
 * differences (columns as names or {name,type}; rows as objects or arrays) in one place: toOutcome().
 */
import type { SqlValue, TableDefinition } from '@quarry/sql';
import { StatementError, type StatementOutcome } from './backend.js';
import { renderValue } from './output/values.js';

export type EngineColumn = string | { readonly name: string; readonly type?: string };

export interface EngineQueryResult {
  readonly columns: readonly EngineColumn[];
  readonly rows: readonly (Readonly<Record<string, SqlValue | undefined>> | readonly (SqlValue | undefined)[])[];
  readonly warnings?: readonly string[];
  commit?(): void | Promise<void>;
}

export interface EngineLike {
  execute(sql: string, options?: { consumer?: string; peek?: boolean; text?: boolean }): EngineQueryResult[] | Promise<EngineQueryResult[]>;
  interrupt?(): void;
  register?(table: TableDefinition): void;
  columnsOf?(sql: string): { name: string; type: string }[];
  schemaOf?(table: string): string | undefined;
  close?(): void | Promise<void>;
}

export interface EngineModule {
  Engine: { create(options: Record<string, unknown>): EngineLike | Promise<EngineLike> };
}

/** osquery's result typing: REAL columns keep their `.0`. */
function isRealType(type: string | undefined): boolean {
  return type !== undefined && /^(REAL|DOUBLE|FLOAT)$/i.test(type);
}

/** Converts the engine's results for one statement (possibly several result sets) into one outcome. */
export function toOutcome(results: readonly EngineQueryResult[]): StatementOutcome {
  const last = results[results.length - 1];
  const warnings = results.flatMap((result) => result.warnings ?? []);
  const commit = async (): Promise<void> => {
    for (const result of results) await result.commit?.();
  };
  if (!last) return { columns: [], rows: [], warnings, commit };
  const names = last.columns.map((column) => (typeof column === 'string' ? column : column.name));
  const types = last.columns.map((column) => (typeof column === 'string' ? undefined : column.type));
  const rows = last.rows.map((row) => {
    const values: readonly (SqlValue | undefined)[] = Array.isArray(row)
      ? (row as readonly (SqlValue | undefined)[])
      : names.map((name) => (row as Record<string, SqlValue | undefined>)[name]);
    return values.map((value, index) => renderValue(value, isRealType(types[index])));
  });
  return { columns: names, columnTypes: types.map((type) => type ?? 'UNKNOWN'), rows, warnings, commit };
}

/** Wraps anything thrown by the engine as a StatementError with SQLite's code. */
export function toStatementError(error: unknown): StatementError {
  if (error instanceof StatementError) return error;
  const failure = error as { message?: unknown; code?: unknown; warnings?: unknown };
  const message = typeof failure?.message === 'string' ? failure.message : String(error);
  const code = typeof failure?.code === 'number' ? failure.code : 1;
  const warnings = Array.isArray(failure?.warnings) ? (failure.warnings as string[]) : [];
  return new StatementError(message, code, warnings);
}

export type { TableDefinition };
