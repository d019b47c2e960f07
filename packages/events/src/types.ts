/**
 * Shapes the events runtime shares with publishers, subscribers, the shell and the daemon. Structural on purpose:
 * @quarry/events depends only on @quarry/sql and @quarry/config, so the buffer and logger types are described here
 * by what the runtime calls on them (buffers' EventRing and pino's Logger satisfy them).
 */

/** osquery's Eventer states. */
export type EventerState = 'none' | 'setup' | 'running' | 'paused' | 'failed';

/** What every event context carries: a per-publisher id (1, 2, ...) and the unix second it was fired. */
export interface EventContext {
  id: number;
  time: number;
}

/** Values a stored event row may hold (buffers' StoredValue). */
export type EventValue = string | number | bigint | null;
export type EventRowValues = Record<string, EventValue>;

/** Where a subscriber appends its rows: buffers' EventRing satisfies this. */
export interface EventSink {
  append(rows: EventRowValues[]): Promise<number[]>;
}

/** Hands each subscriber its ring: buffers' EventStore satisfies this (see @quarry/buffers' contract.ts). */
export interface EventStoreLike<Ring extends EventSink = EventSink> {
  ring(subscriber: string): Ring;
}

/** Reads a flag by its osquery name. @quarry/config's Flags satisfies this (value / has / source). */
export interface FlagSource {
  value(name: string): unknown;
  has?(name: string): boolean;
  /** 'cli' | 'flagfile' | 'config' | 'default' | 'mode' */
  source?(name: string): string;
}

/** A flag's value, or undefined when the flag set does not define it. */
export function flagValue(flags: FlagSource, name: string): unknown {
  if (flags.has && !flags.has(name)) return undefined;
  try {
    return flags.value(name);
  } catch {
    return undefined;
  }
}

/** True when the flag was set by the user (command line, flagfile or config), not left at its default. */
export function flagExplicit(flags: FlagSource, name: string): boolean {
  if (flags.has && !flags.has(name)) return false;
  const source = flags.source?.(name);
  return source !== undefined && source !== 'default';
}

/** pino's Logger satisfies this. */
export interface EventLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** The parsed osquery.conf (or the part of it the events runtime reads). Unknown keys are ignored here. */
export type EventsConfig = Readonly<Record<string, unknown>>;

/** One row of osquery_events, also what the runtime reports to a shell/daemon that runs its engine elsewhere. */
export interface EventStatus {
  name: string;
  publisher: string;
  type: 'publisher' | 'subscriber';
  subscriptions: number;
  events: number;
  refreshes: number;
  active: number;
  /** Quarry's addition (not an osquery column): the state and the last problem, in words. */
  status: string;
}

/** A config problem a user must fix: the message names the key and what to do. */
export class EventsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventsConfigError';
  }
}

/** A logger that drops everything, for callers that pass none. */
export const silentLogger: EventLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Reads a boolean flag the way gflags spells booleans. */
export function flagBoolean(flags: FlagSource, name: string, fallback: boolean): boolean {
  const value = flagValue(flags, name);
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  const text = String(value).toLowerCase();
  if (text === 'true' || text === '1' || text === 'yes') return true;
  if (text === 'false' || text === '0' || text === 'no') return false;
  return fallback;
}

/** Reads a non-negative integer flag. */
export function flagInteger(flags: FlagSource, name: string, fallback: number): number {
  const value = flagValue(flags, name);
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback;
}

/**
 * A subscriber's init() throws this when a flag turns it off (osquery: `Subscriber disabled via configuration`).
 * The runtime reports it as information, not as a failure.
 */
export class SubscriberDisabledError extends Error {
  constructor(flag: string) {
    super(`Subscriber disabled via configuration (${flag})`);
    this.name = 'SubscriberDisabledError';
  }
}
