/**
 * Test helper: runs a real quarryd child process (bin/quarryd.js) with temp database/log dirs on a free port,
 * and talks to it over real HTTP. Shared by test/daemon and test/http.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
export const quarrydBin = join(root, 'bin/quarryd.js');

export interface QuarrydOptions {
  config?: object;
  flags?: string[];
  /** Reuse the directory of an earlier run (restart). */
  dir?: string;
  /** Options for the node binary itself (e.g. `--cpu-prof`), placed before bin/quarryd.js. */
  nodeArgs?: string[];
}

export class QuarrydProcess {
  readonly dir: string;
  child: ChildProcess | undefined;
  url = '';
  token = '';
  stderr = '';
  stdout = '';
  exitCode: number | null | undefined;
  exitSignal: NodeJS.Signals | null | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(private readonly options: QuarrydOptions = {}) {
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'quarryd-test-'));
    mkdirSync(join(this.dir, 'watch'), { recursive: true });
    if (options.config) this.writeConfig(options.config);
  }

  get configPath(): string {
    return join(this.dir, 'quarry.conf');
  }
  get resultsLog(): string {
    return join(this.dir, 'log', 'osqueryd.results.log');
  }
  get snapshotsLog(): string {
    return join(this.dir, 'log', 'osqueryd.snapshots.log');
  }
  get watchDir(): string {
    return join(this.dir, 'watch');
  }
  get pidfile(): string {
    return join(this.dir, 'quarryd.pid');
  }
  get tokenFile(): string {
    return join(this.dir, 'secret', 'http.token');
  }

  writeConfig(config: object): void {
    writeFileSync(this.configPath, JSON.stringify(config));
  }

  args(): string[] {
    return [
      ...(this.options.nodeArgs ?? []),
      quarrydBin,
      `--config_path=${this.configPath}`,
      `--database_path=${join(this.dir, 'db', 'quarry.db')}`,
      `--logger_path=${join(this.dir, 'log')}`,
      `--pidfile=${this.pidfile}`,
      `--http_token_file=${this.tokenFile}`,
      '--http_port=0',
      '--disable_audit=true',
      '--worker_threads=2',
      `--extensions_socket=${join(this.dir, 'ext', 'osquery.em')}`,
      ...(this.options.flags ?? []),
    ];
  }

  async start(extraFlags: string[] = []): Promise<this> {
    this.stderr = '';
    this.exitCode = undefined;
    const child = spawn(process.execPath, [...this.args(), ...extraFlags], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    child.stderr!.setEncoding('utf8');
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => {
      this.exitCode = code;
      this.exitSignal = signal;
      resolve(code);
    }));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`quarryd did not start in 15 s:\n${this.stderr}`)), 15_000);
      child.stderr!.on('data', (d: string) => {
        this.stderr += d;
        const match = /HTTP endpoint (https?:\/\/\S+)/.exec(this.stderr);
        if (match && !this.url) {
          this.url = match[1]!;
          clearTimeout(timer);
          resolve();
        } else if (match) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`quarryd exited with ${code} before it started:\n${this.stderr}`));
      });
    });
    const match = /HTTP endpoint (https?:\/\/\S+)/g;
    let last = '';
    for (const m of this.stderr.matchAll(match)) last = m[1]!;
    this.url = last;
    this.token = readFileSync(this.tokenFile, 'utf8').trim();
    return this;
  }

  /** SIGTERM; resolves with the exit code and how long the stop took (ms). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; ms: number }> {
    const started = Date.now();
    if (!this.child || this.exitCode !== undefined) return { code: this.exitCode ?? null, ms: 0 };
    this.child.kill(signal);
    const code = await this.exited;
    this.url = '';
    return { code, ms: Date.now() - started };
  }

  cleanup(): void {
    if (this.child && this.exitCode === undefined) this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  async request(method: string, path: string, options: { body?: string | object; token?: string | null; headers?: Record<string, string> } = {}): Promise<{ status: number; json: any; text: string; headers: Headers }> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const token = options.token === undefined ? this.token : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(this.url + path, { method, headers, body, signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text, headers: response.headers };
  }

  query(sql: string, extra: object = {}): Promise<{ status: number; json: any; text: string; headers: Headers }> {
    return this.request('POST', '/v1/query', { body: { sql, ...extra } });
  }

  resultLines(): any[] {
    try {
      return readFileSync(this.resultsLog, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
    } catch {
      return [];
    }
  }

  snapshotLines(): any[] {
    try {
      return readFileSync(this.snapshotsLog, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
    } catch {
      return [];
    }
  }
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
  at: number;
}

/** A real SSE client over fetch: collects events as they arrive. */
export class SseClient {
  readonly events: SseEvent[] = [];
  private readonly controller = new AbortController();
  status = 0;
  done: Promise<void>;

  constructor(url: string, token: string, lastEventId?: string) {
    this.done = (async () => {
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${token}`, ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}) },
        signal: this.controller.signal,
      });
      this.status = response.status;
      if (!response.body) return;
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let index: number;
          while ((index = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, index);
            buffer = buffer.slice(index + 2);
            const event: SseEvent = { data: '', at: performance.now() };
            let hasData = false;
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue;
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'id') event.id = value;
              else if (field === 'event') event.event = value;
              else if (field === 'data') {
                event.data += (hasData ? '\n' : '') + value;
                hasData = true;
              }
            }
            if (hasData) this.events.push(event);
          }
        }
      } catch {
        // aborted or the server went away
      }
    })();
  }

  rows(): any[] {
    return this.events.filter((e) => !e.event).map((e) => JSON.parse(e.data));
  }

  close(): void {
    this.controller.abort();
  }
}
