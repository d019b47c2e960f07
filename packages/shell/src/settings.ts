/** The shell's own settings: what `.mode`, `.headers`, `.separator`, `.nullvalue`, ... change. */

export type OutputMode = 'pretty' | 'line' | 'list' | 'csv' | 'column' | 'json' | 'json_pretty';

export interface ShellSettings {
  mode: OutputMode;
  headers: boolean;
  separator: string;
  /** `.nullvalue`: NULL text for line, list, csv and column. */
  nullvalue: string;
  /** The `--nullvalue` flag: NULL text for pretty and JSON output (osquery ignores `.nullvalue` there). */
  nullFlag: string;
  timer: boolean;
  bail: boolean;
  echo: boolean;
  widths: number[];
}

export interface OutputFlags {
  csv?: boolean;
  json?: boolean;
  json_pretty?: boolean;
  line?: boolean;
  list?: boolean;
  header?: boolean;
  separator?: string;
  nullvalue?: string;
}

/**
 * Initial settings from the shell flags, with osquery's precedence: `--list` > `--line` > `--csv` > pretty, and
 * `--json`/`--json_pretty` render pretty mode. As osqueryi does, `--csv` does not force `,`: the `--separator` flag
 * (default `|`) applies, so `--csv --separator=,` gives comma-separated CSV.
 */
export function settingsFromFlags(flags: OutputFlags): ShellSettings {
  let mode: OutputMode = 'pretty';
  if (flags.list) mode = 'list';
  else if (flags.line) mode = 'line';
  else if (flags.csv) mode = 'csv';
  else if (flags.json_pretty) mode = 'json_pretty';
  else if (flags.json) mode = 'json';
  return {
    mode,
    headers: flags.header ?? true,
    separator: flags.separator ?? '|',
    nullvalue: flags.nullvalue ?? '',
    nullFlag: flags.nullvalue ?? '',
    timer: false,
    bail: false,
    echo: false,
    widths: [],
  };
}

const TRUE_WORDS = new Set(['1', 'y', 'yes', 't', 'true', 'ok', 'enable', 'on']);
const FALSE_WORDS = new Set(['0', 'n', 'no', 'f', 'false', 'disable', 'off']);

/** The sqlite shell's booleans: integers (0x.. too) or yes/no words; anything else is "no" with a message. */
export function parseBoolean(text: string, complain: (message: string) => void): boolean {
  const word = text.toLowerCase();
  if (/^-?\d+$/.test(word)) return Number(word) !== 0;
  if (/^0x[0-9a-f]+$/.test(word)) return Number.parseInt(word.slice(2), 16) !== 0;
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  complain(`ERROR: Not a boolean value: "${text}". Assuming "no".`);
  return false;
}

/** C-style quoting for `.show` (nullvalue, separator). */
export function cQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += '\\' + code.toString(8).padStart(3, '0');
    else out += ch;
  }
  return out + '"';
}
