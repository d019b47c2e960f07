/**
 * The interactive shell: readline with osqueryi's prompts, history in ~/.quarry/.history (1000 lines; osquery's
 * linenoise keeps 100), Tab completion of table names, column names and dot commands, Ctrl-C to cancel the line
 * or the running statement, Ctrl-D to leave.
 */
import { appendFileSync, chmodSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { TableSummary } from './backend.js';
import { DOT_COMMAND_NAMES, type Shell } from './session.js';

export const HISTORY_LIMIT = 1000;

const SQL_KEYWORDS = [
  'select', 'from', 'where', 'join', 'left', 'inner', 'cross', 'using', 'on', 'group', 'by', 'order', 'limit',
  'offset', 'having', 'distinct', 'count', 'union', 'all', 'as', 'and', 'or', 'not', 'like', 'glob', 'in', 'is',
  'null', 'asc', 'desc', 'with', 'recursive', 'case', 'when', 'then', 'else', 'end', 'between', 'exists',
];

/**
 * ~/.quarry (0700), or a private directory under $TMPDIR when the home is not writable (as osqueryi does), or
 * undefined (no history) when neither is safe. The fallback has a fixed name another user could create first or
 * point elsewhere with a symlink, so it is used only when it is a real directory owned by this user with no
 * group/other permissions.
 */
export function shellHome(): string | undefined {
  const preferred = join(homedir(), '.quarry');
  try {
    mkdirSync(preferred, { recursive: true, mode: 0o700 });
    return preferred;
  } catch {
    const fallback = join(tmpdir(), `quarry-${process.getuid?.() ?? 'user'}`);
    try {
      mkdirSync(fallback, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
    }
    return isPrivateDirectory(fallback) ? fallback : undefined;
  }
}

/** A directory (not a symlink) owned by this process's user, with no group/other permission bits. */
export function isPrivateDirectory(path: string): boolean {
  try {
    const stats = lstatSync(path);
    const uid = process.getuid?.();
    return stats.isDirectory() && (uid === undefined || stats.uid === uid) && (stats.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

function loadHistory(path: string): string[] {
  try {
    const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
    return lines.slice(-HISTORY_LIMIT).reverse();
  } catch {
    return [];
  }
}

/** Completes the word under the cursor: dot commands at line start, else table, column and keyword names. */
export function completeWord(line: string, tables: readonly TableSummary[]): [string[], string] {
  const trimmed = line.trimStart();
  if (trimmed.startsWith('.') && !/\s/.test(trimmed)) {
    const hits = DOT_COMMAND_NAMES.filter((name) => name.startsWith(trimmed));
    return [hits, trimmed];
  }
  const word = /[A-Za-z0-9_]*$/.exec(line)?.[0] ?? '';
  if (trimmed.startsWith('.')) {
    // Arguments of .schema/.tables/.all are table names.
    return [tables.map((table) => table.name).filter((name) => name.startsWith(word)), word];
  }
  const lower = word.toLowerCase();
  const candidates = new Set<string>();
  for (const table of tables) {
    if (table.name.startsWith(lower)) candidates.add(table.name);
    for (const column of table.columns) if (column.startsWith(lower)) candidates.add(column);
  }
  for (const keyword of SQL_KEYWORDS) if (keyword.startsWith(lower)) candidates.add(keyword);
  return [[...candidates].sort(), word];
}

export interface ReplOptions {
  readonly shell: Shell;
  readonly color: boolean;
  readonly banner: boolean;
  /** The main prompt: `quarry> `, or osquery's `osquery> ` under the osqueryi name. */
  readonly prompt: string;
}

/** Runs the REPL until Ctrl-D or `.exit`; returns the exit code. */
export async function runRepl(options: ReplOptions): Promise<number> {
  const { shell } = options;
  const home = shellHome();
  const historyPath = home === undefined ? undefined : join(home, '.history');
  let tables: TableSummary[] = [];
  // Names for Tab completion, fetched before the first prompt so completion works from the first keystroke.
  try {
    tables = await shell.queryBackend.tables();
  } catch {
    tables = [];
  }

  const wrap = (prompt: string): string => (options.color ? `\x1b[38;5;147m${prompt}\x1b[0m` : prompt);
  const mainPrompt = wrap(options.prompt);
  const continuationPrompt = wrap('    ...> ');

  const rl: Interface = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    historySize: HISTORY_LIMIT,
    history: historyPath === undefined ? [] : loadHistory(historyPath),
    removeHistoryDuplicates: false,
    completer: (line: string) => completeWord(line, tables),
    prompt: mainPrompt,
  } as Parameters<typeof createInterface>[0]);

  if (options.banner) process.stdout.write("Using a \x1b[1mvirtual database\x1b[0m. Need help, type '.help'\n");

  const writeHistory = (line: string): void => {
    if (historyPath === undefined) return;
    try {
      appendFileSync(historyPath, line.replace(/\n/g, ' ') + '\n', { mode: 0o600 });
    } catch {
      // history is a convenience; a read-only home must not break the shell
    }
  };

  let exitCode = 0;
  let busy = false;
  let closed = false;
  let lineNumber = 0;
  const queue: string[] = [];
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));

  const showPrompt = (): void => {
    rl.setPrompt(shell.input.pending === '' ? mainPrompt : continuationPrompt);
    rl.prompt();
  };

  const leave = (code: number): void => {
    if (closed) return;
    closed = true;
    exitCode = code;
    rl.close();
  };

  const drain = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    while (queue.length > 0 && !closed) {
      const line = queue.shift() as string;
      lineNumber++;
      if (line.trim() !== '') writeHistory(line);
      const outcome = await shell.feedLine(line, 'interactive', lineNumber);
      if (outcome?.kind === 'exit') {
        leave(outcome.code);
        break;
      }
    }
    busy = false;
    if (!closed) showPrompt();
  };

  rl.on('line', (line: string) => {
    queue.push(line);
    void drain();
  });

  rl.on('SIGINT', () => {
    if (busy) {
      // Cancel the running statement; its error (`Error: interrupted`) is printed by the session.
      shell.queryBackend.interrupt();
      queue.length = 0;
      return;
    }
    // Cancel the line being typed and any unfinished statement.
    shell.input.clear();
    process.stdout.write('^C');
    // Interface#clearLine (what Node's own REPL uses): new line, empty buffer, cursor at 0.
    const clearable = rl as unknown as { clearLine?: () => void };
    if (typeof clearable.clearLine === 'function') clearable.clearLine();
    else {
      process.stdout.write('\n');
      rl.write(null, { ctrl: true, name: 'u' });
    }
    showPrompt();
  });

  rl.on('close', () => {
    if (!closed) {
      closed = true;
      process.stdout.write('\n');
    }
    if (historyPath !== undefined) trimHistory(historyPath);
    finish(exitCode !== 0 ? exitCode : shell.errors > 0 ? 1 : 0);
  });

  showPrompt();
  const code = await finished;
  return code;
}

/** Keeps the history file at HISTORY_LIMIT lines, private to the user. */
function trimHistory(path: string): void {
  try {
    const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
    if (lines.length > HISTORY_LIMIT) writeFileSync(path, lines.slice(-HISTORY_LIMIT).join('\n') + '\n', { mode: 0o600 });
    chmodSync(path, 0o600);
  } catch {
    // nothing to trim
  }
}
