/** Messages between the interactive shell (main thread) and its engine worker. */
import type { ExtensionsState, TableSummary } from './backend.js';
import type { ShellConfigView } from './shell-agent-state.js';

export interface WorkerInit {
  readonly argv: readonly string[];
  /** The config the main thread loaded (plain data): the worker applies it instead of reading it again. */
  readonly configView: ShellConfigView | undefined;
  /** Index 0: set to 1 by the main thread to interrupt the running statement. */
  readonly interruptBuffer: SharedArrayBuffer;
  readonly events: 'off' | 'consumer' | 'publisher';
}

export type ToWorker =
  | { type: 'execute'; id: number; sql: string }
  | { type: 'commit'; id: number }
  | { type: 'discard'; id: number }
  | { type: 'tables'; id: number }
  | { type: 'schema'; id: number; table: string }
  | { type: 'columns'; id: number; sql: string }
  | { type: 'close'; id: number }
  | { type: 'extensions'; id: number; state: ExtensionsState };

export interface WireOutcome {
  columns: string[];
  columnTypes: string[];
  rows: (string | null)[][];
  warnings: string[];
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'warning'; message: string }
  | { type: 'planner'; line: string }
  | { type: 'columns'; id: number; columns: { name: string; type: string }[] }
  | { type: 'result'; id: number; outcome: WireOutcome }
  | { type: 'error'; id: number; message: string; code: number; warnings: string[] }
  | { type: 'tables'; id: number; tables: TableSummary[] }
  | { type: 'schema'; id: number; schema: string | undefined }
  | { type: 'done'; id: number };
