/**
 * Per-statement state: the QuerySession tables see (consumer, peek, afterDelivery / onAbandon hooks, warnings) and the limits
 * the engine enforces while the statement runs (deadline, interruption, the error a callback left behind).
 */
import type { QuerySession } from './table.js';

export class StatementSession implements QuerySession {
  readonly warnings: string[] = [];
  private readonly hooks: Array<() => void> = [];
  private readonly abandonHooks: Array<() => void> = [];
  private settled: 'committed' | 'abandoned' | undefined;

  constructor(
    readonly consumer: string,
    readonly peek: boolean,
    private readonly onWarning: ((message: string) => void) | undefined,
    /** Shared by the statements of one engine call (see QuerySession.drainToken). */
    readonly drainToken: string = crypto.randomUUID(),
  ) {}

  afterDelivery(commit: () => void): void {
    if (this.settled) throw new Error(`afterDelivery() called after the query was ${this.settled}`);
    this.hooks.push(commit);
  }

  onAbandon(abandon: () => void): void {
    if (this.settled) throw new Error(`onAbandon() called after the query was ${this.settled}`);
    this.abandonHooks.push(abandon);
  }

  warn(message: string): void {
    if (this.warnings.includes(message)) return;
    this.warnings.push(message);
    this.onWarning?.(message);
  }

  /** Runs every afterDelivery hook once, in registration order. Later calls, and calls after abandon(), do nothing. */
  commit(): void {
    if (this.settled) return;
    this.settled = 'committed';
    this.abandonHooks.length = 0;
    runAll(this.hooks.splice(0));
  }

  /**
   * The statement failed or its rows will not be delivered: runs every onAbandon hook once (e.g. an event table gives
   * back its drain lease without moving the cursor). Later calls, and calls after commit(), do nothing.
   */
  abandon(): void {
    if (this.settled) return;
    this.settled = 'abandoned';
    this.hooks.length = 0;
    runAll(this.abandonHooks.splice(0));
  }
}

/** Runs every hook, then throws the first error one of them threw. */
function runAll(hooks: Array<() => void>): void {
  let firstError: unknown;
  for (const hook of hooks) {
    try {
      hook();
    } catch (error) {
      firstError ??= error;
    }
  }
  if (firstError !== undefined) throw firstError;
}

export type StopReason = 'deadline' | 'interrupt';

/** What the engine tracks while one statement is being prepared and stepped. */
export class StatementRun {
  /** An error thrown by a generator or function, rethrown as the statement's error. */
  pendingError: Error | undefined;
  stopReason: StopReason | undefined;
  /** The authorizer saw a recursive CTE (used to explain deadline/row-cap errors). */
  recursive = false;
  readonly warnedTables = new Set<string>();

  constructor(
    readonly session: StatementSession,
    readonly deadline: number,
  ) {}

  remainingMs(): number {
    return this.deadline - performance.now();
  }
}
