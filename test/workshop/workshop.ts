/**
 * Shared helpers for the workshop walk-through tests: run the real `node bin/quarryi.js` the three ways a workshop
 * user does (a one-shot positional query, statements piped on stdin, the interactive prompt on a pseudo-terminal),
 * read its pretty tables back into rows, and ask the system itself (getent, ps, stat, df, date) for the answer.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const quarryiPath = join(repoRoot, 'bin', 'quarryi.js');

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number;
}

const homes: string[] = [];

/** A private HOME (world-writable so a setpriv'd user can use it too): history and shell databases stay out of /root. */
export function privateHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'quarry-workshop-home-'));
  chmodSync(home, 0o777);
  homes.push(home);
  return home;
}

/** Removes every HOME made by privateHome (call from an after hook). */
export function removePrivateHomes(): void {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
}

let sharedHome: string | undefined;

export interface RunOptions {
  /** Text written to stdin (the piped mode); stdin is empty otherwise. */
  input?: string;
  /** Run as this uid/gid with no supplementary groups (setpriv), as an ordinary user would. */
  as?: { uid: number; gid: number };
  env?: Record<string, string>;
}

/** Runs `node bin/quarryi.js ...args` to completion. */
export function quarryi(args: string[], options: RunOptions = {}): Promise<RunResult> {
  sharedHome ??= privateHome();
  const argv = [process.execPath, quarryiPath, ...args];
  const [file, fileArgs] = options.as
    ? ['setpriv', [`--reuid=${options.as.uid}`, `--regid=${options.as.gid}`, '--clear-groups', '--', ...argv]]
    : [argv[0]!, argv.slice(1)];
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      fileArgs,
      { cwd: repoRoot, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HOME: sharedHome!, ...options.env } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ stdout, stderr, status: typeof error?.code === 'number' ? error.code : 0 });
      },
    );
    child.stdin!.end(options.input ?? '');
  });
}

/** The same statement as a one-shot positional query and piped on stdin, run side by side. */
export async function bothWays(sql: string, args: string[] = [], options: RunOptions = {}): Promise<{ oneShot: RunResult; piped: RunResult }> {
  const [oneShot, piped] = await Promise.all([quarryi([...args, sql], options), quarryi(args, { ...options, input: `${sql}\n` })]);
  return { oneShot, piped };
}

export type Row = Record<string, string>;

/**
 * Reads osqueryi's pretty table(s) back into rows. Column boundaries come from the `+---+` border line (widths in code
 * points, as the shell draws them), so a value holding `|` is still read whole. Several tables in one text are
 * returned one after another.
 */
export function parsePretty(text: string): Row[] {
  const rows: Row[] = [];
  const lines = text.replace(/\r/g, '').split('\n');
  let widths: number[] | undefined;
  let header: string[] | undefined;
  let borders = 0;
  for (const line of lines) {
    if (/^\+(-+\+)+$/.test(line)) {
      const next = line
        .slice(1, -1)
        .split('+')
        .map((dashes) => dashes.length);
      if (widths === undefined || borders === 3 || next.join() !== widths.join()) {
        widths = next;
        header = undefined;
        borders = 0;
      }
      borders += 1;
      continue;
    }
    if (widths === undefined || !line.startsWith('|')) continue;
    const chars = Array.from(line);
    const cells: string[] = [];
    let at = 1;
    for (const width of widths) {
      cells.push(chars.slice(at, at + width).join('').trim());
      at += width + 1;
    }
    if (header === undefined) header = cells;
    else rows.push(Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
  }
  return rows;
}

/** The column names of the first pretty table in text. */
export function prettyHeader(text: string): string[] {
  const line = text.replace(/\r/g, '').split('\n').find((l) => l.startsWith('|'));
  return line === undefined ? [] : line.slice(1, -1).split('|').map((cell) => cell.trim());
}

/** `.mode line` output: one record per blank-line-separated block (or per repeated first field). */
export function parseLineMode(text: string): Row[] {
  const rows: Row[] = [];
  let current: Row | undefined;
  for (const line of text.replace(/\r/g, '').split('\n')) {
    const match = /^\s*(\S+) = (.*)$/.exec(line);
    if (!match) {
      if (line.trim() === '' && current) {
        rows.push(current);
        current = undefined;
      }
      continue;
    }
    const [, name = '', value = ''] = match;
    if (current && name in current) {
      rows.push(current);
      current = undefined;
    }
    current ??= {};
    current[name] = value;
  }
  if (current) rows.push(current);
  return rows;
}

// ---- the system's own answers ----

export interface PasswdEntry {
  username: string;
  uid: number;
  gid: number;
  description: string;
  directory: string;
  shell: string;
}

/** `getent passwd`, in its own order. */
export function getentPasswd(): PasswdEntry[] {
  return execFileSync('getent', ['passwd'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(':'))
    .map((line) => {
      const [username = '', , uid = '0', gid = '0', description = '', directory = '', shell = ''] = line.split(':');
      return { username, uid: Number(uid), gid: Number(gid), description, directory, shell };
    });
}

/** The five columns the workshop selects from users, as strings. */
export function workshopColumns(entry: PasswdEntry): Row {
  return { uid: String(entry.uid), gid: String(entry.gid), username: entry.username, description: entry.description, directory: entry.directory };
}

export function pick(row: Row, names: string[]): Row {
  return Object.fromEntries(names.map((name) => [name, row[name] ?? '']));
}

export interface PsEntry {
  pid: number;
  ppid: number;
  uid: number;
  comm: string;
}

/** `ps -e` with pid, parent, real uid and command name. */
export function psEntries(): Map<number, PsEntry> {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,ruid=,comm='], { encoding: 'utf8' });
  const map = new Map<number, PsEntry>();
  for (const line of out.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s(.*)$/.exec(line);
    if (match) map.set(Number(match[1]), { pid: Number(match[1]), ppid: Number(match[2]), uid: Number(match[3]), comm: match[4]!.trim() });
  }
  return map;
}

/** A throw-away system account (useradd -r), removed by the returned function. */
export interface TempUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  remove(): void;
}

export function createTempUser(prefix: string): TempUser {
  const name = `${prefix}${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`.slice(0, 31);
  const home = mkdtempSync(join(tmpdir(), 'quarry-workshop-user-'));
  rmSync(home, { recursive: true, force: true });
  execFileSync('useradd', ['-r', '-m', '-d', home, '-s', '/bin/bash', '-c', 'Quarry workshop test', name]);
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return {
    name,
    uid: id('-u'),
    gid: id('-g'),
    home,
    remove() {
      try {
        execFileSync('userdel', ['-r', '-f', name], { stdio: 'ignore' });
      } catch {
        // already gone
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

// ---- the interactive prompt ----

/**
 * quarryi on a real pseudo-terminal (util-linux `script`), typed into line by line. `output` is everything the
 * terminal showed, carriage returns removed.
 */
export class PromptSession {
  private raw = '';
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(args: string[], options: { env?: Record<string, string> } = {}) {
    sharedHome ??= privateHome();
    const command = [process.execPath, quarryiPath, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
    this.child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: repoRoot,
      env: { ...process.env, HOME: sharedHome, TERM: 'dumb', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      this.raw += chunk.toString('utf8');
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get output(): string {
    // eslint-disable-next-line no-control-regex
    return this.raw.replace(/\r/g, '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  }

  /** Waits until the output (after `from`) matches. */
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.output.slice(from);
      if (pattern.test(seen)) return seen;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`timed out waiting for ${pattern} in:\n${seen.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 40));
    }
  }

  /** Types one line and waits for the next prompt; returns what the terminal showed for it (echo included). */
  async type(line: string, prompt: RegExp = /\nquarry> $/): Promise<string> {
    const from = this.output.length;
    this.child.stdin!.write(`${line}\n`);
    return this.waitFor(prompt, from);
  }

  /** Types `.exit` and waits for the process to end. */
  async exit(): Promise<number | null> {
    this.child.stdin!.write('.exit\n');
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 15_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}

/** Polls `check` every `everyMs` until it returns true. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
