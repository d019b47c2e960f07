/**
 * One shell session: runs SQL statements and dot commands against a QueryBackend, printing in the current output
 * mode, and counts errors the way osqueryi does. The REPL, stdin and the positional argument all feed it.
 */
import { type QueryBackend, StatementError } from './backend.js';
import { glogLine } from '@quarry/events/glog';
import { splitMetaArguments } from './meta-args.js';
import { renderResult } from './output/render.js';
import { type OutputMode, type ShellSettings, cQuote, parseBoolean } from './settings.js';
import { scanCompletion } from '@quarry/sql/complete';
import { isBlank, splitStatements } from './sql-text.js';

export interface ShellOutput {
  out(text: string): void;
  err(text: string): void;
}

/** Where input came from: decides the error prefix and whether `.bail` applies. */
export type InputKind = 'interactive' | 'stdin' | 'argument';

export interface ShellInfo {
  readonly version: string;
  /** Shell switches that `.show` reports (flagfile, ...), already known to main. */
  readonly flagfile: string;
  /** What `.show` prints for Database: `lmdb (<path>)` when the shell uses one, else `ephemeral`. */
  readonly database?: string;
  /** What `.show` prints for output: the --output file, else `stdout`. */
  readonly output?: string;
}

/** The outcome of a dot command. */
export type MetaOutcome = { kind: 'ok' } | { kind: 'error'; code?: number } | { kind: 'exit'; code: number };

const MODES: Record<string, OutputMode> = {
  line: 'line', lines: 'line', column: 'column', columns: 'column', list: 'list', pretty: 'pretty', csv: 'csv',
  json: 'json', json_pretty: 'json_pretty',
};

/** Dot commands in the order abbreviations resolve (`.s` → schema, `.t` → tables, as the sqlite shell's chain). */
const META_COMMANDS = [
  'all', 'bail', 'connect', 'disconnect', 'echo', 'exit', 'features', 'headers', 'header', 'help', 'list', 'mode',
  'nullvalue', 'print', 'quit', 'schema', 'separator', 'show', 'socket', 'summary', 'tables', 'timer', 'types',
  'version', 'width',
] as const;
type MetaName = (typeof META_COMMANDS)[number];

export const DOT_COMMAND_NAMES: readonly string[] = META_COMMANDS.map((name) => '.' + name);

export function helpText(): string {
  return [
    'Welcome to the Quarry shell (osquery-compatible). Please explore your OS!',
    "You are connected to a transient 'in-memory' virtual database.",
    '',
    '.all [TABLE]     Select all from a table',
    '.bail ON|OFF     Stop after hitting an error',
    '.echo ON|OFF     Turn command echo on or off',
    '.exit            Exit this program',
    '.features        List osquery\'s features and their status',
    '.headers ON|OFF  Turn display of headers on or off',
    '.help            Show this message',
    '.mode MODE       Set output mode where MODE is one of:',
    '                   csv      Comma-separated values',
    '                   column   Left-aligned columns see .width',
    '                   line     One value per line',
    '                   list     Values delimited by .separator string',
    '                   pretty   Pretty printed SQL results (default)',
    '                   json     One JSON object per row, keys sorted (Quarry)',
    '                   json_pretty  Indented JSON (Quarry)',
    '.nullvalue STR   Use STRING in place of NULL values',
    '.print STR...    Print literal STRING',
    '.quit            Exit this program',
    '.schema [TABLE]  Show the CREATE statements',
    '.separator STR   Change separator used by output mode',
    '.show            Show the current values for various settings',
    '.summary         Alias for the show meta command',
    '.tables [TABLE]  List names of tables',
    '.types [SQL]     Show the columns and types the query returns',
    '.version         Show the Quarry and SQLite versions',
    '.width [NUM1]+   Set column widths for "column" mode',
    '.timer ON|OFF      Turn the CPU timer measurement on or off',
    '',
  ].join('\n');
}

function resolveMeta(word: string): MetaName | undefined {
  if (word === '') return undefined;
  return META_COMMANDS.find((name) => name.startsWith(word));
}

export class Shell {
  /** Statements and commands that failed so far. */
  errors = 0;
  /** The SQLite code of the last failure (1 when unknown). */
  lastErrorCode = 0;

  constructor(
    private backend: QueryBackend,
    readonly settings: ShellSettings,
    private readonly io: ShellOutput,
    private readonly info: ShellInfo,
  ) {}

  get queryBackend(): QueryBackend {
    return this.backend;
  }

  private reportError(message: string, kind: InputKind, line: number): void {
    this.errors++;
    const where = kind === 'stdin' ? `near line ${line}: ` : '';
    this.io.err(`Error: ${where}${message}\n`);
  }

  private warn(messages: readonly string[]): void {
    for (const message of messages) this.io.err(glogLine('W', 'quarryi', message));
  }

  /** Runs one statement; returns 0 or the SQLite code it failed with. */
  async runStatement(sql: string, kind: InputKind, line = 1): Promise<number> {
    if (this.settings.echo) this.io.out(sql + '\n');
    const wallStart = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    let code = 0;
    try {
      const outcome = await this.backend.execute(sql);
      try {
        this.warn(outcome.warnings);
        this.io.out(renderResult(outcome, this.settings));
      } catch (error) {
        await outcome.release(); // not printed: the cursors stay and the drain lease goes now
        throw error;
      }
      await outcome.commit();
    } catch (error) {
      const failure = error instanceof StatementError ? error : new StatementError(String((error as Error)?.message ?? error), 1);
      this.warn(failure.warnings);
      code = failure.code === 0 ? 1 : failure.code;
      this.lastErrorCode = code;
      this.reportError(failure.message, kind, line);
    }
    if (this.settings.timer) {
      const real = Number(process.hrtime.bigint() - wallStart) / 1e9;
      const cpu = process.cpuUsage(cpuStart);
      this.io.out(`Run Time: real ${real.toFixed(3)} user ${(cpu.user / 1e6).toFixed(6)} sys ${(cpu.system / 1e6).toFixed(6)}\n`);
    }
    return code;
  }

  /** Runs every statement in `text` (whose first line is `firstLine`); stops at an error when asked to. */
  async runSql(text: string, kind: InputKind, firstLine = 1, stopAtError = false): Promise<number> {
    let failed = 0;
    for (const statement of splitStatements(text)) {
      const code = await this.runStatement(statement.sql, kind, firstLine + statement.line - 1);
      if (code !== 0) {
        failed = code;
        if (stopAtError) break;
      }
    }
    return failed;
  }

  /** Runs a dot command line (starting with `.`). */
  async runMeta(line: string, kind: InputKind = 'interactive'): Promise<MetaOutcome> {
    const words = splitMetaArguments(line.trim().slice(1));
    const typed = words[0] ?? '';
    const args = words.slice(1);
    const name = resolveMeta(typed);
    const invalid = (): MetaOutcome => {
      this.errors++;
      this.lastErrorCode = 1;
      this.io.err(`Error: unknown command or invalid arguments:  "${typed}". Enter ".help" for help\n`);
      return { kind: 'error' };
    };
    const bool = (text: string): boolean => parseBoolean(text, (message) => this.io.err(message + '\n'));
    switch (name) {
      case undefined:
        return invalid();
      case 'all': {
        if (args.length !== 1) return invalid();
        const table = args[0] as string;
        const code = await this.runStatement(`SELECT * FROM ${quoteIdentifier(table)};`, kind);
        if (code !== 0) {
          this.io.err(`Error querying table: ${table}\n`);
          return { kind: 'error', code };
        }
        return { kind: 'ok' };
      }
      case 'bail':
        if (args.length !== 1) return invalid();
        this.settings.bail = bool(args[0] as string);
        return { kind: 'ok' };
      case 'echo':
        if (args.length !== 1) return invalid();
        this.settings.echo = bool(args[0] as string);
        return { kind: 'ok' };
      case 'exit':
      case 'quit': {
        const code = args.length > 0 ? Number.parseInt(args[0] as string, 10) || 0 : 0;
        return { kind: 'exit', code };
      }
      case 'features': {
        const outcome = await this.query(
          "select name, value from osquery_flags where (name like 'disable_%' or name like 'enable_%') and type = 'bool'",
        );
        if (!outcome) return { kind: 'error' };
        for (const row of outcome.rows) this.io.out(`${row[0] ?? ''}: ${row[1] ?? ''}\n`);
        return { kind: 'ok' };
      }
      case 'headers':
      case 'header':
        if (args.length !== 1) return invalid();
        this.settings.headers = bool(args[0] as string);
        return { kind: 'ok' };
      case 'help':
        this.io.err(helpText());
        return { kind: 'ok' };
      case 'mode': {
        if (args.length !== 1) return invalid();
        const mode = MODES[(args[0] as string).toLowerCase()];
        if (!mode) {
          this.errors++;
          this.io.err('Error: mode should be one of: column csv json json_pretty line list pretty\n');
          return { kind: 'error' };
        }
        this.settings.mode = mode;
        if (mode === 'csv') this.settings.separator = ',';
        return { kind: 'ok' };
      }
      case 'nullvalue':
        if (args.length !== 1) return invalid();
        this.settings.nullvalue = (args[0] as string).slice(0, 19);
        return { kind: 'ok' };
      case 'print':
        this.io.out(args.join(' ') + '\n');
        return { kind: 'ok' };
      case 'schema': {
        if (args.length > 1) return invalid();
        const prefix = args[0] ?? '';
        const tables = await this.backend.tables();
        for (const table of tables) {
          if (!table.name.startsWith(prefix)) continue;
          const schema = await this.backend.schemaOf(table.name);
          if (schema) this.io.out(schema + '\n');
        }
        return { kind: 'ok' };
      }
      case 'separator':
        if (args.length !== 1) return invalid();
        this.settings.separator = (args[0] as string).slice(0, 19);
        return { kind: 'ok' };
      case 'show':
      case 'summary':
        await this.show();
        return { kind: 'ok' };
      case 'socket':
        this.io.out(`${this.backend.description}\n`);
        return { kind: 'ok' };
      case 'tables':
      case 'list': {
        if (args.length > 1) return invalid();
        const prefix = args[0] ?? '';
        const tables = await this.backend.tables();
        for (const table of tables) if (table.name.startsWith(prefix)) this.io.out(`  => ${table.name}\n`);
        return { kind: 'ok' };
      }
      case 'timer':
        if (args.length !== 1) return invalid();
        this.settings.timer = bool(args[0] as string);
        return { kind: 'ok' };
      case 'types': {
        if (args.length < 1) return invalid();
        try {
          const columns = await this.backend.columnsOf(args.join(' '));
          const result = { columns: ['name', 'type'], rows: columns.map((column) => [column.name, column.type]) };
          this.io.out(renderResult(result, this.settings));
        } catch (error) {
          const failure = error as StatementError;
          this.io.out(`Error ${failure.code ?? 1}: ${failure.message}\n`);
          this.errors++;
          return { kind: 'error' };
        }
        return { kind: 'ok' };
      }
      case 'version': {
        const sqlite = await this.query('select sqlite_version()');
        this.io.out(`quarry ${this.info.version}\nusing SQLite ${sqlite?.rows[0]?.[0] ?? 'unknown'}\n`);
        return { kind: 'ok' };
      }
      case 'width':
        this.settings.widths = args.map((word) => Number.parseInt(word, 10) || 0);
        return { kind: 'ok' };
      case 'connect':
      case 'disconnect':
        this.errors++;
        this.io.err('Error: .connect is not available inside a session; start quarryi with --connect URL --token_file PATH\n');
        return { kind: 'error' };
    }
  }

  /** A helper query for dot commands: rows as text, errors printed. */
  private async query(sql: string): Promise<{ columns: readonly string[]; rows: readonly (readonly (string | null)[])[] } | undefined> {
    try {
      const outcome = await this.backend.execute(sql);
      await outcome.commit();
      return outcome;
    } catch (error) {
      this.errors++;
      this.io.err(`Error: ${(error as Error).message}\n`);
      return undefined;
    }
  }

  private async show(): Promise<void> {
    const names = [
      'flagfile', 'config_plugin', 'config_path', 'logger_plugin', 'logger_path', 'distributed_plugin',
      'disable_distributed', 'database_path', 'disable_database', 'disable_events', 'extensions_socket',
    ];
    const flagRows = await this.query(
      `select name, value from osquery_flags where name in (${names.map((n) => `'${n}'`).join(', ')})`,
    );
    const flag = new Map<string, string>((flagRows?.rows ?? []).map((row) => [row[0] ?? '', row[1] ?? '']));
    const value = (name: string): string => flag.get(name) ?? '';
    const row = (label: string, text: string): string => `${label.padStart(13).slice(-13)}: ${text}\n`;
    const sqlite = await this.query('select sqlite_version()');
    let out = '\x1b[1mquarry\x1b[0m - being built, with love.\n' + '~'.repeat(45) + '\n';
    out += `quarry ${this.info.version}\nusing SQLite ${sqlite?.rows[0]?.[0] ?? 'unknown'}\n\n`;
    out += 'General settings:\n';
    out += row('Flagfile', this.info.flagfile || value('flagfile'));
    out += row('Config', `${value('config_plugin') || 'filesystem'} (${value('config_path')})`);
    out += row('Logger', `${value('logger_plugin') || 'filesystem'} (${value('logger_path')})`);
    const distributed = value('distributed_plugin') || 'tls';
    out += row('Distributed', value('disable_distributed') === 'false' ? distributed : `${distributed} (disabled)`);
    out += row('Database', this.info.database ?? 'ephemeral');
    out += row('Extensions', 'core');
    out += row('Backend', this.backend.description);
    out += '\nShell settings:\n';
    out += row('echo', this.settings.echo ? 'on' : 'off');
    out += row('headers', this.settings.headers ? 'on' : 'off');
    out += row('mode', this.settings.mode);
    out += row('nullvalue', cQuote(this.settings.nullvalue));
    out += row('output', this.info.output || 'stdout');
    out += row('separator', cQuote(this.settings.separator));
    out += row('width', this.settings.widths.join(' '));
    out += '\nNon-default flags/options:\n';
    const changed = await this.query('select name, value from osquery_flags where default_value <> value');
    for (const changedRow of changed?.rows ?? []) out += `  ${changedRow[0] ?? ''}: ${changedRow[1] ?? ''}\n`;
    this.io.out(out);
  }

  /** SQL typed so far that does not form complete statements yet. */
  readonly input = new LineInput();

  /**
   * Feeds input line by line (interactive and stdin): a `.` line at statement start is a dot command; SQL
   * accumulates until a `;` completes it. Returns the dot command's outcome, or undefined.
   */
  async feedLine(line: string, kind: InputKind, lineNumber: number): Promise<MetaOutcome | undefined> {
    const pending = this.input.pending;
    if (pending === '' && line.trimStart().startsWith('.')) {
      if (this.settings.echo) this.io.out(line + '\n'); // the sqlite shell echoes dot commands too
      return this.runMeta(line, kind);
    }
    if (pending === '' && isBlank(line) && !line.includes('/*')) return undefined;
    this.input.append(line, lineNumber);
    if (line.includes(';') && this.input.complete) {
      const { text, firstLine } = this.input.take();
      const stop = kind !== 'interactive' && this.settings.bail;
      await this.runSql(text, kind, firstLine, stop);
    }
    return undefined;
  }

  /** Runs SQL left without a terminating `;` at the end of input. */
  async flushPending(kind: InputKind): Promise<void> {
    if (this.input.pending === '' || isBlank(this.input.pending)) {
      this.input.take();
      return;
    }
    const { text, firstLine } = this.input.take();
    await this.runSql(text, kind, firstLine, kind !== 'interactive' && this.settings.bail);
  }

  /** Replaces the backend (used when a worker had to be restarted). */
  replaceBackend(backend: QueryBackend): void {
    this.backend = backend;
  }
}

/**
 * SQL text collected across lines until it forms complete statements. Completion is sqlite3_complete() over the
 * lines, each ending in a newline, scanned incrementally: each line is read once, however long the statement.
 */
export class LineInput {
  private text = '';
  private first = 1;
  /** The lines with their newlines, as the completion scan sees them, and where that scan stopped. */
  private scanned = '';
  private scan = { state: 0, resume: 0, complete: false };

  get pending(): string {
    return this.text;
  }

  /** Whether the pending text ends with a complete statement (sqlite3_complete). */
  get complete(): boolean {
    return this.scan.complete;
  }

  append(line: string, lineNumber: number): void {
    if (this.text === '') this.first = lineNumber;
    this.text += (this.text === '' ? '' : '\n') + line;
    this.scanned += line + '\n';
    this.scan = scanCompletion(this.scanned, this.scan.resume, this.scan.state);
  }

  take(): { text: string; firstLine: number } {
    const taken = { text: this.text, firstLine: this.first };
    this.clear();
    return taken;
  }

  clear(): void {
    this.text = '';
    this.scanned = '';
    this.scan = { state: 0, resume: 0, complete: false };
  }
}

/** Double-quotes an identifier for `.all`. */
function quoteIdentifier(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : '"' + name.replace(/"/g, '""') + '"';
}
