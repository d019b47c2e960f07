/**
 * --connect URL: queries run on a quarryd HTTP endpoint. `POST {url}/v1/query` with `Authorization: Bearer
 * <token>` and `{sql, consumer}` answers `{columns:[{name,type}], rows:[...]}` or `{error}`. The daemon commits
 * event cursors itself once it sent the response, so commit() is a no-op here.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type QueryBackend, StatementError, type StatementOutcome, type TableSummary } from './backend.js';
import { isRealType, renderValue } from './output/values.js';

interface RemoteColumn {
  name: string;
  type?: string;
}

export function readToken(path: string): string {
  if (path === '') {
    throw new Error('--connect needs --token_file=PATH (the file quarryd wrote its bearer token to, see --http_token_file)');
  }
  let token: string;
  try {
    token = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new Error(`cannot read --token_file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (token === '') throw new Error(`--token_file ${path} is empty; it should hold quarryd's bearer token`);
  return token;
}

/** localhost, 127.0.0.0/8, ::1 and ::ffff:127.x: the hosts plain http:// may carry the token to (quarryd's bind rule). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(host);
}

export class RemoteBackend implements QueryBackend {
  readonly description: string;
  private readonly base: string;
  private controller: AbortController | undefined;
  private cachedTables: TableSummary[] | undefined;

  constructor(
    url: string,
    private readonly token: string,
    private readonly consumer: string,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`--connect ${url} is not a URL; use e.g. --connect http://127.0.0.1:9710`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new Error(`--connect ${url} must be an http:// or https:// URL of a running quarryd`);
    }
    if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
      throw new Error(
        `--connect ${url} would send the bearer token in clear text to a non-loopback host; use https:// (quarryd with --http_tls_cert/--http_tls_key) or a loopback address`,
      );
    }
    this.base = parsed.href.replace(/\/+$/, '');
    this.description = `remote ${this.base}`;
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    this.controller = new AbortController();
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: this.controller.signal,
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw new StatementError('interrupted', 9);
      const reason = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
      const cause = reason?.code ?? reason?.errors?.[0]?.code ?? reason?.message ?? (error as Error).message;
      throw new StatementError(`cannot reach quarryd at ${this.base} (${cause}); is quarryd running with its HTTP endpoint on?`, 1);
    } finally {
      this.controller = undefined;
    }
    const text = await response.text();
    let payload: unknown;
    try {
      payload = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new StatementError(`quarryd answered HTTP ${response.status} with a body that is not JSON`, 1);
    }
    if (!response.ok) {
      const error = (payload as { error?: unknown; code?: unknown }).error;
      const code = (payload as { code?: unknown }).code;
      const message = typeof error === 'string' ? error : `HTTP ${response.status}`;
      if (response.status === 401) throw new StatementError(`${message} (check --token_file)`, 1);
      throw new StatementError(message, typeof code === 'number' ? code : 1);
    }
    return payload;
  }

  async execute(sql: string): Promise<StatementOutcome> {
    const payload = (await this.request('POST', '/v1/query', { sql, consumer: this.consumer })) as {
      columns?: (RemoteColumn | string)[];
      rows?: (Record<string, unknown> | unknown[])[];
      warnings?: string[];
    };
    const columns = (payload.columns ?? []).map((column) => (typeof column === 'string' ? { name: column } : column));
    const names = columns.map((column) => column.name);
    const rows = (payload.rows ?? []).map((row) => {
      const values = Array.isArray(row) ? row : names.map((name) => (row as Record<string, unknown>)[name]);
      return values.map((value, index) => {
        const real = isRealType(columns[index]?.type);
        if (value === null || value === undefined) return null;
        if (typeof value === 'object') return JSON.stringify(value);
        return renderValue(value as string | number | boolean, real);
      });
    });
    return {
      columns: names,
      columnTypes: columns.map((column) => column.type ?? 'UNKNOWN'),
      rows,
      warnings: payload.warnings ?? [],
      commit: async () => {},
      release: async () => {},
    };
  }

  /** The daemon runs the statement with peek=true (no event cursor moves) and reports the columns it returned. */
  async columnsOf(sql: string): Promise<{ name: string; type: string }[]> {
    const payload = (await this.request('POST', '/v1/query', { sql, consumer: this.consumer, peek: true })) as { columns?: (RemoteColumn | string)[] };
    return (payload.columns ?? []).map((column) => (typeof column === 'string' ? { name: column, type: 'UNKNOWN' } : { name: column.name, type: column.type ?? 'UNKNOWN' }));
  }

  async tables(): Promise<TableSummary[]> {
    if (this.cachedTables) return this.cachedTables;
    const payload = (await this.request('GET', '/v1/tables')) as unknown;
    const list = Array.isArray(payload) ? payload : ((payload as { tables?: unknown[] }).tables ?? []);
    const tables = list
      .map((entry) =>
        typeof entry === 'string'
          ? { name: entry, columns: [] }
          : {
              name: String((entry as { name?: unknown }).name ?? ''),
              columns: ((entry as { columns?: unknown[] }).columns ?? []).map((column) =>
                typeof column === 'string' ? column : String((column as { name?: unknown }).name ?? ''),
              ),
            },
      )
      .filter((table) => table.name !== '')
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.cachedTables = tables;
    return tables;
  }

  async schemaOf(table: string): Promise<string | undefined> {
    try {
      const payload = (await this.request('GET', `/v1/tables/${encodeURIComponent(table)}`)) as { schema?: unknown; sql?: unknown };
      const schema = payload.schema ?? payload.sql;
      return typeof schema === 'string' ? schema : undefined;
    } catch {
      return undefined;
    }
  }

  interrupt(): void {
    this.controller?.abort();
  }

  async close(): Promise<void> {}
}
