/**
 * osquery's decorators: `load` runs when the config is applied, `always` before every scheduled query,
 * `interval` every N seconds (N a multiple of 60). Only the first row of each query counts; its columns become
 * decoration key/values (strings). Later sources override earlier keys.
 */
import type { Row } from '@quarry/sql';
import type { StatusLog } from '../status-log.js';

export interface DecoratorConfig {
  load: string[];
  always: string[];
  interval: Record<string, string[]>;
}

export type RunQuery = (sql: string) => Promise<Row[]>;

function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return String(value);
}

export class Decorators {
  private loadValues: Record<string, string> = {};
  private alwaysValues: Record<string, string> = {};
  private readonly intervalValues = new Map<number, Record<string, string>>();
  private config: DecoratorConfig = { load: [], always: [], interval: {} };

  constructor(
    private readonly run: RunQuery,
    private readonly log: StatusLog,
    private readonly disabled: boolean,
  ) {}

  private async collect(queries: string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const sql of queries) {
      try {
        const rows = await this.run(sql);
        if (rows.length > 1) this.log.warning(`Multiple rows returned for decorator query: ${sql}`, 'decorators');
        const first = rows[0];
        if (first) for (const [key, value] of Object.entries(first)) out[key] = valueText(value);
      } catch (error) {
        this.log.warning(`Decorator query failed: ${sql}: ${(error as Error).message}`, 'decorators');
      }
    }
    return out;
  }

  async configure(config: DecoratorConfig): Promise<void> {
    this.config = config;
    this.intervalValues.clear();
    for (const key of Object.keys(config.interval)) {
      const rate = Number(key);
      if (!Number.isInteger(rate) || rate <= 0 || rate % 60 !== 0) {
        this.log.warning(`Invalid decorator interval rate ${key} in config source: decorators`, 'decorators');
      }
    }
    if (this.disabled) return;
    this.loadValues = await this.collect(config.load);
  }

  async runAlways(): Promise<void> {
    if (this.disabled || this.config.always.length === 0) return;
    this.alwaysValues = await this.collect(this.config.always);
  }

  /** Runs the interval decorators due at scheduler tick `i`. */
  async runInterval(tick: number): Promise<void> {
    if (this.disabled) return;
    for (const [key, queries] of Object.entries(this.config.interval)) {
      const rate = Number(key);
      if (!Number.isInteger(rate) || rate <= 0 || rate % 60 !== 0) continue;
      if (tick % rate === 0) this.intervalValues.set(rate, await this.collect(queries));
    }
  }

  decorations(): Record<string, string> {
    if (this.disabled) return {};
    const merged: Record<string, string> = { ...this.loadValues };
    for (const values of this.intervalValues.values()) Object.assign(merged, values);
    Object.assign(merged, this.alwaysValues);
    return merged;
  }
}
