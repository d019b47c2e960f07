/**
 * Per-statement state: the QuerySession tables see (consumer, peek, afterDelivery hooks, warnings) and the limits
 * the engine enforces while the statement runs (deadline, interruption, the error a callback left behind).
 */
import type { QuerySession } from './table.js';

export class StatementSession implements QuerySession {
  readonly warnings: string[] = [];
  private readonly hooks: Array<() => void> = [];
  private committed = false;

  constructor(
    readonly consumer: string,
    readonly peek: boolean,
    private readonly onWarning: ((message: string) => void) | undefined,
  ) {}

  afterDelivery(commit: () => void): void {
    if (this.committed) throw new Error('afterDelivery() called after the query was committed');
    this.hooks.push(commit);
  }

  warn(message: string): void {
    if (this.warnings.includes(message)) return;
    this.warnings.push(message);
    this.onWarning?.(message);
  }

  /** Runs every afterDelivery hook once, in registration order. Later calls do nothing. */
  commit(): void {
    if (this.committed) return;
    this.committed = true;
    const hooks = this.hooks.splice(0);
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
