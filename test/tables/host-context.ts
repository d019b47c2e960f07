/**
 * Helpers for the host-table tests: an Engine over the tables under test, the rows of a query,
 * and the system's own tools (their stdout) to compare against.
 */
import { spawnSync } from 'node:child_process';
import { Engine, type Row, type TableDefinition } from '@quarry/sql';

export async function engineWith(...tables: TableDefinition[]): Promise<Engine> {
  return Engine.create({ tables });
}

export function rows(engine: Engine, sql: string): Row[] {
  return engine.query(sql).rows;
}

/** Runs a system tool; returns stdout, or null when the tool is missing or fails. */
export function tool(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): string | null {
  const result = spawnSync(command, args, { encoding: 'utf8', env: env ?? process.env, maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) return null;
  return result.stdout;
}

/** Like tool() but throws with the tool's stderr when it fails. */
export function mustRun(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): string {
  const result = spawnSync(command, args, { encoding: 'utf8', env: env ?? process.env, maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed: ${result.error?.message ?? result.stderr}`);
  }
  return result.stdout;
}

/** Single-quotes a value for SQL. */
export function sqlText(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
