/**
 * Server-Sent Events over an event ring: `GET /v1/events/:table/stream`. Each stored row is pushed as
 * `id: <eid>` + `data: <row JSON>`. A client starts after Last-Event-ID when given (resume: no loss, no
 * duplicate, eids are persistent), else after its consumer's cursor when `consumer` is given, else at the newest
 * row. With `where`, rows are filtered by the engine on a worker over the real table (its column affinity, so
 * matches equal the table's own): `SELECT eid FROM <table> WHERE eid > a AND eid <= b AND (<where>)`, an eid window
 * read as a peek (no cursor moves). With `consumer`, the cursor
 * moves after rows were written to the socket, and the stream holds the consumer's drain lease while it is open (a
 * query draining that consumer meanwhile gets 409, so no row goes both ways). Slow clients are skipped until their socket drains (no per-client
 * queue grows); rows are re-read from the ring, which keeps them until expiry.
 */
import type { ServerResponse } from 'node:http';
import type { DrainOwner, EventRingApi, StoredEvent } from '@quarry/buffers';
import type { NotifyingStore } from '../store/open-store.js';
import { QueryFailure, type QueryPool } from '../pool/query-pool.js';

const PAGE = 500;

interface StreamClient {
  table: string;
  ring: EventRingApi;
  response: ServerResponse;
  lastSent: number;
  where: string | undefined;
  consumer: string | undefined;
  /** The consumer's drain lease, held while the stream is open (given with `consumer`). */
  lease: DrainOwner | undefined;
  pumping: boolean;
  dirty: boolean;
  closed: boolean;
  blocked: boolean;
}

/** Keywords that start a statement, a set operation or a select clause: refused outside parentheses in `where`. */
const STATEMENT_KEYWORDS = new Set([
  'SELECT', 'UNION', 'INTERSECT', 'EXCEPT', 'INSERT', 'UPDATE', 'DELETE', 'DROP', 'CREATE', 'ALTER',
  'ATTACH', 'DETACH', 'PRAGMA', 'VACUUM', 'WITH', 'VALUES', 'LIMIT', 'ORDER', 'GROUP', 'HAVING', 'WINDOW', 'BEGIN',
  'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'REINDEX', 'ANALYZE', 'EXPLAIN',
]);

/**
 * A WHERE expression a client may send: one expression that stays inside the parentheses quarryd puts around it.
 * Tokenized: string literals and quoted identifiers are skipped whole; comments, `;`, unbalanced parentheses and
 * statement keywords outside parentheses are refused (sub-selects inside parentheses are allowed).
 */
export function whereProblem(where: string): string | undefined {
  if (where.length > 4096) return 'where is longer than 4096 characters';
  if (where.trim() === '') return 'where is empty';
  let depth = 0;
  let i = 0;
  while (i < where.length) {
    const c = where[i]!;
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      let j = i + 1;
      for (;;) {
        const k = where.indexOf(close, j);
        if (k < 0) return `where has an unterminated ${c === "'" ? 'string literal' : 'quoted identifier'} (starting at character ${i + 1})`;
        if (close !== ']' && where[k + 1] === close) {
          j = k + 2;
          continue;
        }
        i = k + 1;
        break;
      }
      continue;
    }
    if ((c === '-' && where[i + 1] === '-') || (c === '/' && where[i + 1] === '*')) return 'where must not contain SQL comments (-- or /*)';
    if (c === ';') return 'where must be a single SQL expression (no ";" outside a string literal)';
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth < 0) return `where closes a parenthesis it did not open (character ${i + 1})`;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < where.length && /[A-Za-z0-9_$]/.test(where[j]!)) j++;
      const word = where.slice(i, j).toUpperCase();
      if (depth === 0 && STATEMENT_KEYWORDS.has(word)) {
        return `where must be one expression: ${word} is only allowed inside parentheses (e.g. a sub-select in "x IN (SELECT ...)")`;
      }
      i = j;
      continue;
    }
    i++;
  }
  if (depth !== 0) return `where leaves ${depth} parenthesis${depth > 1 ? 'es' : ''} open`;
  return undefined;
}

function rowJson(row: StoredEvent | Record<string, unknown>): string {
  return JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

export class EventStreamHub {
  private readonly clients = new Set<StreamClient>();
  private readonly newest = new Map<string, number>();
  private readonly filterCache = new Map<string, Promise<Set<number>>>();
  /** Per table: pages read from the ring by start eid, shared by every client at that position (dropped on append). */
  private readonly pages = new Map<string, Map<number, readonly StoredEvent[]>>();
  /** Per table: the SSE text of each recent event, serialised once however many clients receive it. */
  private readonly texts = new Map<string, Map<number, string>>();
  private delivered = 0;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly store: NotifyingStore,
    private readonly pool: QueryPool,
  ) {
    store.on('appended', (table: string, _first: number, last: number) => {
      this.newest.set(table, Math.max(this.newest.get(table) ?? 0, last));
      this.pages.get(table)?.clear();
      for (const client of this.clients) if (client.table === table) void this.pump(client);
    });
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) {
        if (!this.keepLease(client)) continue;
        if (!client.blocked) client.response.write(': keep-alive\n\n');
      }
    }, 15_000);
    this.heartbeat.unref();
  }

  /**
   * Newest eid stored in a ring (0 when empty). eids are given one per appended row starting at 1, so the ring's
   * `appended` count is the last eid; the short peek after it only guards that assumption (normally reads nothing).
   */
  newestEid(table: string, ring: EventRingApi): number {
    const known = this.newest.get(table);
    if (known !== undefined) return known;
    let newest = ring.stats().appended;
    for (;;) {
      const after = ring.peek({ eidFrom: newest + 1, limit: PAGE, columns: [] });
      if (after.length === 0) break;
      newest = after[after.length - 1]!.eid;
    }
    this.newest.set(table, newest);
    return newest;
  }

  consumerCursor(ring: EventRingApi, consumer: string): number {
    return ring.stats().consumers.find((c) => c.consumer === consumer)?.cursor ?? 0;
  }

  count(): number {
    return this.clients.size;
  }

  deliveredRows(): number {
    return this.delivered;
  }

  /**
   * Opens a stream. With `consumer`, pass the `lease` the caller took on that consumer's drain (ring.acquireDrain):
   * the stream keeps it renewed and gives it back when it closes.
   */
  open(options: { table: string; ring: EventRingApi; response: ServerResponse; lastEventId?: number; where?: string; consumer?: string; lease?: DrainOwner }): void {
    const { ring, response, table } = options;
    let start: number;
    if (options.lastEventId !== undefined) start = options.lastEventId;
    else if (options.consumer) start = this.consumerCursor(ring, options.consumer);
    else start = this.newestEid(table, ring);
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(`: quarryd ${table} stream from eid ${start}\nretry: 1000\n\n`);
    const client: StreamClient = {
      table,
      ring,
      response,
      lastSent: start,
      where: options.where,
      consumer: options.consumer,
      lease: options.lease,
      pumping: false,
      dirty: false,
      closed: false,
      blocked: false,
    };
    this.clients.add(client);
    const close = (): void => {
      if (client.closed) return;
      client.closed = true;
      this.clients.delete(client);
      this.giveBackLease(client);
    };
    response.on('close', close);
    response.on('error', close);
    if (response.destroyed) {
      close();
      return;
    }
    response.on('drain', () => {
      client.blocked = false;
      void this.pump(client);
    });
    void this.pump(client);
  }

  private async pump(client: StreamClient): Promise<void> {
    if (client.closed) return;
    if (client.pumping || client.blocked) {
      client.dirty = true;
      return;
    }
    client.pumping = true;
    try {
      do {
        client.dirty = false;
        while (!client.closed && !client.blocked) {
          const more = client.where ? await this.pageFiltered(client) : this.pagePlain(client);
          if (!more) break;
        }
      } while (client.dirty && !client.closed && !client.blocked);
    } catch (error) {
      if (!client.closed) {
        client.response.write(`event: error\ndata: ${JSON.stringify({ error: (error as Error).message })}\n\n`);
      }
    } finally {
      client.pumping = false;
    }
  }

  /** Rows after `after` (one page), read once for all clients at that position until the next append. */
  private page(client: StreamClient): readonly StoredEvent[] {
    let pages = this.pages.get(client.table);
    if (!pages) this.pages.set(client.table, (pages = new Map()));
    let rows = pages.get(client.lastSent);
    if (!rows) {
      rows = client.ring.peek({ eidFrom: client.lastSent + 1, limit: PAGE });
      if (pages.size >= 64) pages.delete(pages.keys().next().value!);
      pages.set(client.lastSent, rows);
    }
    return rows;
  }

  /** `id:`/`data:` text of one event, cached per table (bounded) so each event is serialised once. */
  private eventText(table: string, row: StoredEvent): string {
    let texts = this.texts.get(table);
    if (!texts) this.texts.set(table, (texts = new Map()));
    const eid = Number(row.eid);
    let text = texts.get(eid);
    if (text === undefined) {
      text = `id: ${String(row.eid)}\ndata: ${rowJson(row)}\n\n`;
      if (texts.size >= 4 * PAGE) texts.delete(texts.keys().next().value!);
      texts.set(eid, text);
    }
    return text;
  }

  private send(client: StreamClient, rows: readonly StoredEvent[], upTo: number): void {
    let text = '';
    for (const row of rows) text += this.eventText(client.table, row);
    if (text !== '') {
      const ok = client.response.write(text);
      this.delivered += rows.length;
      if (!ok) client.blocked = true;
    }
    client.lastSent = upTo;
    if (client.consumer && upTo > 0) client.ring.commit(client.consumer, upTo);
  }

  private pagePlain(client: StreamClient): boolean {
    const rows = this.page(client);
    if (rows.length === 0) return false;
    this.send(client, rows, rows[rows.length - 1]!.eid);
    return rows.length === PAGE;
  }

  private async pageFiltered(client: StreamClient): Promise<boolean> {
    const rows = this.page(client);
    if (rows.length === 0) return false;
    const matching = await this.filter(client.table, client.lastSent, rows[rows.length - 1]!.eid, client.where ?? '1');
    if (client.closed) return false;
    this.send(client, rows.filter((row) => matching.has(Number(row.eid))), rows[rows.length - 1]!.eid);
    return rows.length === PAGE;
  }

  /**
   * eids of the rows the WHERE expression accepts. Clients with the same expression at the same position share
   * one evaluation; a busy pool is retried shortly (the rows stay in the ring).
   */
  filter(table: string, after: number, upTo: number, where: string): Promise<Set<number>> {
    const key = `${table}\u0000${where}\u0000${after}\u0000${upTo}`;
    let pending = this.filterCache.get(key);
    if (!pending) {
      pending = this.evaluate(table, after, upTo, where);
      this.filterCache.set(key, pending);
      pending.catch(() => this.filterCache.delete(key));
      if (this.filterCache.size > 256) this.filterCache.delete(this.filterCache.keys().next().value!);
    }
    return pending;
  }

  private async evaluate(table: string, after: number, upTo: number, where: string): Promise<Set<number>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.evaluateOnce(table, after, upTo, where);
      } catch (error) {
        if (!(error instanceof QueryFailure) || error.kind !== 'busy' || attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, 20 + attempt * 10));
      }
    }
  }

  /**
   * Evaluated by the engine on the event table itself over the eid window (after, upTo]: the eid constraints are a
   * window pushed down to the ring (a peek, no cursor moves), and the table's column types apply to `where`.
   */
  private async evaluateOnce(table: string, after: number, upTo: number, where: string): Promise<Set<number>> {
    const sql = `SELECT eid FROM "${table}" WHERE eid > ${Math.floor(after)} AND eid <= ${Math.floor(upTo)} AND (${where})`;
    const result = await this.pool.run({ sql, peek: true, consumer: 'http_stream' });
    result.discard();
    return new Set(result.rows.map((row) => Number(row.eid)));
  }

  /** Renews a stream's drain lease; a stream that lost it (it expired and another drain took it) is ended. */
  private keepLease(client: StreamClient): boolean {
    if (!client.lease || !client.consumer) return true;
    let kept: boolean;
    try {
      kept = client.ring.renewDrain(client.consumer, client.lease);
    } catch {
      return true; // the store is closing; the lease goes with the process
    }
    if (kept) return true;
    client.response.write(`event: error\ndata: ${JSON.stringify({ error: `the drain lease of consumer ${JSON.stringify(client.consumer)} was lost; reconnect` })}\n\n`);
    client.lease = undefined;
    client.response.end();
    return false;
  }

  private giveBackLease(client: StreamClient): void {
    if (!client.lease || !client.consumer) return;
    const lease = client.lease;
    client.lease = undefined;
    try {
      client.ring.releaseDrain(client.consumer, lease);
    } catch {
      // the store is closed: the lease goes with the process
    }
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) {
      client.closed = true;
      this.giveBackLease(client);
      client.response.end();
    }
    this.clients.clear();
  }
}
