/**
 * Server-Sent Events over an event ring: `GET /v1/events/:table/stream`. Each stored row is pushed as
 * `id: <eid>` + `data: <row JSON>`. A client starts after Last-Event-ID when given (resume: no loss, no
 * duplicate, eids are persistent), else after its consumer's cursor when `consumer` is given, else at the newest
 * row. With `where`, rows are filtered by the engine on a worker: windows of
 * `SELECT * FROM <table> WHERE eid BETWEEN a AND b AND (<where>)` read as a peek. With `consumer`, the cursor
 * moves after rows were written to the socket. Slow clients are skipped until their socket drains (no per-client
 * queue grows); rows are re-read from the ring, which keeps them until expiry.
 */
import type { ServerResponse } from 'node:http';
import type { EventRingApi, StoredEvent } from '@quarry/buffers';
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
  pumping: boolean;
  dirty: boolean;
  closed: boolean;
  blocked: boolean;
}

function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'bigint') return value.toString();
  return `'${String(value).replace(/'/g, "''")}'`;
}

/** A WHERE expression a client may send: one expression, no statement separator, bounded length. */
export function whereProblem(where: string): string | undefined {
  if (where.length > 4096) return 'where is longer than 4096 characters';
  if (where.includes(';')) return 'where must be a single SQL expression (no ";")';
  if (where.trim() === '') return 'where is empty';
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
      for (const client of this.clients) if (!client.blocked) client.response.write(': keep-alive\n\n');
    }, 15_000);
    this.heartbeat.unref();
  }

  /** Newest eid stored in a ring (0 when empty). */
  newestEid(table: string, ring: EventRingApi): number {
    const known = this.newest.get(table);
    if (known !== undefined) return known;
    const stats = ring.stats();
    let newest = 0;
    if (stats.newestTime !== null) {
      const rows = ring.peek({ timeFrom: stats.newestTime });
      newest = rows.length > 0 ? rows[rows.length - 1]!.eid : 0;
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

  open(options: { table: string; ring: EventRingApi; response: ServerResponse; lastEventId?: number; where?: string; consumer?: string }): void {
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
      pumping: false,
      dirty: false,
      closed: false,
      blocked: false,
    };
    this.clients.add(client);
    const close = (): void => {
      client.closed = true;
      this.clients.delete(client);
    };
    response.on('close', close);
    response.on('error', close);
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
    const matching = await this.filter(client.table, rows, client.where ?? '1');
    if (client.closed) return false;
    this.send(client, rows.filter((row) => matching.has(Number(row.eid))), rows[rows.length - 1]!.eid);
    return rows.length === PAGE;
  }

  /**
   * eids of the rows the WHERE expression accepts. Clients with the same expression at the same position share
   * one evaluation; a busy pool is retried shortly (the rows stay in the ring).
   */
  filter(table: string, rows: readonly StoredEvent[], where: string): Promise<Set<number>> {
    const key = `${table}\u0000${where}\u0000${String(rows[0]?.eid)}\u0000${String(rows[rows.length - 1]?.eid)}`;
    let pending = this.filterCache.get(key);
    if (!pending) {
      pending = this.evaluate(table, rows, where);
      this.filterCache.set(key, pending);
      pending.catch(() => this.filterCache.delete(key));
      if (this.filterCache.size > 256) this.filterCache.delete(this.filterCache.keys().next().value!);
    }
    return pending;
  }

  private async evaluate(table: string, rows: readonly StoredEvent[], where: string): Promise<Set<number>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.evaluateOnce(table, rows, where);
      } catch (error) {
        if (!(error instanceof QueryFailure) || error.kind !== 'busy' || attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, 20 + attempt * 10));
      }
    }
  }

  /** Evaluated by the engine over the rows as a VALUES table named like the event table. */
  private async evaluateOnce(table: string, rows: readonly StoredEvent[], where: string): Promise<Set<number>> {
    const columns = Object.keys(rows[0] ?? { eid: 0 });
    if (!columns.includes('eid')) columns.push('eid');
    const values = rows.map((row) => `(${columns.map((c) => sqlLiteral(row[c])).join(',')})`).join(',');
    const sql = `WITH "${table}"(${columns.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')}) AS (VALUES ${values}) SELECT eid FROM "${table}" WHERE (${where})`;
    const result = await this.pool.run({ sql, peek: true, consumer: 'http_stream' });
    result.discard();
    return new Set(result.rows.map((row) => Number(row.eid)));
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) {
      client.closed = true;
      client.response.end();
    }
    this.clients.clear();
  }
}
