/**
 * quarryd's HTTP endpoint (fastify). Every route but /healthz needs `Authorization: Bearer <token>`. Queries run
 * on the worker pool (read-only engine, deadline, row cap); event cursors move only after the response was sent.
 * Non-loopback binds need TLS (--http_tls_cert/--http_tls_key) or --http_allow_insecure_bind.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Flags } from '@quarry/config';
import { schemaOf, type TableDefinition } from '@quarry/sql';
import { consumerNameProblem, DrainBusyError, drainOwner, type EventRingApi } from '@quarry/buffers';
import { EVENT_TABLE_ALIASES } from '@quarry/subscribers/event-table-aliases';
import { QueryFailure, type PooledResult, type QueryPool } from '../pool/query-pool.js';
import type { DaemonMetrics } from './metrics.js';
import type { EventStreamHub } from './event-stream.js';
import { whereProblem } from './event-stream.js';
import { openApiDocument } from './openapi.js';
import { ConcurrencyGate, RateLimiter } from './rate-limit.js';
import { TokenCheck } from './token.js';

export interface HttpDeps {
  flags: Flags;
  token: string;
  pool: QueryPool;
  metrics: DaemonMetrics;
  streams: EventStreamHub;
  tables: () => TableDefinition[];
  eventTableNames: () => Set<string>;
  ring: (table: string) => EventRingApi;
  version: string;
}

export class HttpConfigError extends Error {}

/** Consumers a ring may keep before HTTP stops adding new ones (the ring's own cap, 1024, leaves room for scheduled queries). */
const CONSUMERS_PER_RING = 512;

/**
 * Bounds the consumers HTTP clients create per event ring (each keeps a cursor in LMDB for ever). A name the ring
 * already knows is always fine; a new one is refused once the ring keeps `limit` consumers. Known names are cached
 * (bounded), so the ring's stats are read only for names not seen yet.
 */
export class ConsumerCap {
  private readonly known = new Map<string, Set<string>>();
  constructor(
    private readonly ring: (table: string) => EventRingApi,
    private readonly limit: number,
  ) {}

  problem(table: string, consumer: string): string | undefined {
    let names = this.known.get(table);
    if (!names) this.known.set(table, (names = new Set()));
    if (names.has(consumer)) return undefined;
    const existing = this.ring(table).stats().consumers;
    const exists = existing.some((c) => c.consumer === consumer);
    if (!exists && this.limit > 0 && existing.length >= this.limit) {
      return `${table} already keeps ${existing.length} consumers (HTTP may create at most ${this.limit}); reuse an existing consumer name or omit consumer`;
    }
    if (names.size < Math.max(this.limit, 1024)) names.add(consumer);
    return undefined;
  }
}


/** Whether `url` is `path` itself (with or without a query string). */
function isRoute(url: string, path: string): boolean {
  return url.startsWith(path) && (url.length === path.length || url[path.length] === '?');
}

/** The consumer a request reads as (its rate-limit bucket): the body's or the query string's, else 'http'. */
function consumerOf(request: FastifyRequest): string {
  const fromBody = (request.body as { consumer?: unknown } | undefined)?.consumer;
  const fromQuery = (request.query as { consumer?: unknown } | undefined)?.consumer;
  const consumer = typeof fromBody === 'string' ? fromBody : typeof fromQuery === 'string' ? fromQuery : 'http';
  return consumer.length <= 128 ? consumer : consumer.slice(0, 128);
}

export function isLoopback(address: string): boolean {
  if (address === 'localhost' || address === '::1') return true;
  if (isIP(address) === 4) return address.startsWith('127.');
  return address.startsWith('::ffff:127.');
}

function statusForFailure(failure: QueryFailure): number {
  switch (failure.kind) {
    case 'sql':
      return 400;
    case 'drain-busy':
      // another query or stream drains the same consumer right now (its drain lease): nothing was read
      return 409;
    case 'timeout':
      return 504;
    case 'busy':
    case 'closed':
    case 'memory':
      return 503;
    default:
      return 500;
  }
}

export async function createHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const { flags } = deps;
  const bind = flags.string('http_bind');
  const cert = flags.string('http_tls_cert');
  const key = flags.string('http_tls_key');
  if ((cert === '') !== (key === '')) throw new HttpConfigError('--http_tls_cert and --http_tls_key must be given together (PEM files)');
  const tls = cert !== '';
  if (!isLoopback(bind) && !tls && !flags.bool('http_allow_insecure_bind')) {
    throw new HttpConfigError(
      `--http_bind=${bind} is not a loopback address: give --http_tls_cert and --http_tls_key, or --http_allow_insecure_bind to serve plain HTTP on it`,
    );
  }
  let https: { cert: Buffer; key: Buffer } | undefined;
  if (tls) {
    try {
      https = { cert: readFileSync(cert), key: readFileSync(key) };
    } catch (error) {
      throw new HttpConfigError(`cannot read the TLS files (--http_tls_cert=${cert}, --http_tls_key=${key}): ${(error as Error).message}`);
    }
  }
  const app = Fastify({
    logger: false,
    bodyLimit: flags.number('http_body_limit'),
    forceCloseConnections: true,
    ...(https ? { https } : {}),
  }) as unknown as FastifyInstance;
  const check = new TokenCheck(deps.token);
  // Rate limits: query traffic per consumer (every loopback client has the same address, so an address is no
  // identity), and /metrics and /healthz each their own allowance, so a busy poller never makes scrapes answer 429.
  const rateLimit = flags.number('http_rate_limit');
  const limiter = new RateLimiter(rateLimit);
  const monitorLimiter = new RateLimiter(rateLimit);
  const maxConcurrent = Math.max(1, flags.number('http_max_concurrent_queries'));
  const gate = new ConcurrencyGate(maxConcurrent, maxConcurrent * 4);
  const validWhere = new Map<string, Promise<QueryFailure | undefined>>();
  const consumers = new ConsumerCap(deps.ring, CONSUMERS_PER_RING);

  const fail = (reply: FastifyReply, status: number, error: string, extra: Record<string, unknown> = {}): FastifyReply =>
    reply.code(status).type('application/json').send({ error, ...extra });

  // Hot path: callback-style hooks (no promise per request), no URL splitting, metric children cached per label set.
  const started = new WeakMap<object, number>();
  const tooMany = (reply: FastifyReply, what: string): void => {
    void reply.header('retry-after', '1');
    void fail(reply, 429, `rate limit exceeded for ${what} (--http_rate_limit=${rateLimit} requests/s each); slow down and retry`);
  };
  app.addHook('onRequest', (request, reply, done) => {
    started.set(request, performance.now());
    const url = request.url;
    if (isRoute(url, '/healthz')) {
      if (!monitorLimiter.take(`healthz\u0000${request.ip}`)) return tooMany(reply, '/healthz');
      return done();
    }
    if (!check.accepts(request.headers.authorization, request.raw.socket)) {
      void fail(reply, 401, 'missing or wrong bearer token: send "Authorization: Bearer <token>" with the token from --http_token_file');
      return;
    }
    if (isRoute(url, '/metrics') && !monitorLimiter.take(`metrics\u0000${request.ip}`)) return tooMany(reply, '/metrics');
    done();
  });
  // Query traffic is limited per consumer, read once the body was parsed (POST /v1/query's "consumer", or the
  // ?consumer= of the event routes; 'http' when none): quarryi --connect (consumer 'shell') and a poller draining as
  // 'http' have separate buckets. Off loopback the client address is part of the key too.
  app.addHook('preHandler', (request, reply, done) => {
    const url = request.url;
    if (isRoute(url, '/metrics') || isRoute(url, '/healthz')) return done();
    const consumer = consumerOf(request);
    const key = isLoopback(request.ip) ? consumer : `${request.ip}\u0000${consumer}`;
    if (!limiter.take(key)) return tooMany(reply, `consumer "${consumer}"`);
    done();
  });
  const requestCounters = new Map<string, { inc(): void }>();
  const durationHistograms = new Map<string, { observe(value: number): void }>();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unknown';
    const status = reply.statusCode;
    const key = `${route}\u0000${request.method}\u0000${status}`;
    let counter = requestCounters.get(key);
    if (!counter) {
      counter = deps.metrics.httpRequests.labels({ route, method: request.method, status: String(status) });
      if (requestCounters.size < 1000) requestCounters.set(key, counter);
    }
    counter.inc();
    const at = started.get(request);
    if (at !== undefined) {
      let histogram = durationHistograms.get(route);
      if (!histogram) {
        histogram = deps.metrics.httpDuration.labels({ route });
        if (durationHistograms.size < 1000) durationHistograms.set(route, histogram);
      }
      histogram.observe((performance.now() - at) / 1000);
    }
    done();
  });
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return fail(reply, 413, `request body is larger than --http_body_limit=${flags.number('http_body_limit')} bytes`);
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return fail(reply, 415, 'send the body as application/json');
    if (error.statusCode === 400 || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return fail(reply, 400, `invalid JSON body: ${error.message}`);
    return fail(reply, error.statusCode && error.statusCode >= 400 ? error.statusCode : 500, error.message);
  });
  app.setNotFoundHandler((request, reply) => fail(reply, 404, `no such route: ${request.method} ${request.url.split('?')[0]}; see GET /v1/openapi.json`));

  /** Runs SQL through the gate and the pool; answers, then commits event cursors once the body was sent. */
  const runAndReply = async (reply: FastifyReply, sql: string, consumer: string, peek: boolean): Promise<FastifyReply> => {
    const release = await gate.enter();
    if (!release) {
      deps.metrics.queries.inc({ source: 'http', outcome: 'busy' });
      void reply.header('retry-after', '1');
      return fail(reply, 503, `too many concurrent queries (--http_max_concurrent_queries=${maxConcurrent}); retry shortly`);
    }
    let result: PooledResult;
    try {
      // the worker serialises the body: the main thread only forwards the string. The deadline is the pool's
      // (--query_timeout + grace; none with --query_timeout=0), the same as for scheduled queries.
      result = await deps.pool.run({ sql, consumer, peek, format: 'json' });
    } catch (error) {
      release();
      const failure = error instanceof QueryFailure ? error : new QueryFailure((error as Error).message, 'crash');
      deps.metrics.queries.inc({ source: 'http', outcome: failure.kind });
      if (failure.kind === 'busy') void reply.header('retry-after', '1');
      return fail(reply, statusForFailure(failure), failure.message, { code: failure.code });
    }
    release();
    deps.metrics.queries.inc({ source: 'http', outcome: 'ok' });
    const raw = reply.raw;
    if (raw.destroyed || raw.writableEnded || !raw.socket || raw.socket.destroyed) {
      // the client went away while the query ran: nothing was delivered, the cursor stays
      result.discard();
      return reply;
    }
    if (result.movesCursors) {
      // A cursor that cannot move (e.g. the ring's consumer limit) re-delivers next time: never lose rows.
      raw.once('finish', () => void result.commit().catch(() => undefined));
      raw.once('close', () => {
        if (!raw.writableFinished) result.discard();
      });
    }
    return reply.type('application/json').send(result.json);
  };

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.post('/v1/query', async (request, reply) => {
    const body = request.body as { sql?: unknown; consumer?: unknown; peek?: unknown } | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return fail(reply, 400, 'send a JSON object: {"sql": "SELECT ...", "consumer"?: "name", "peek"?: false}');
    if (typeof body.sql !== 'string' || body.sql.trim() === '') return fail(reply, 400, '"sql" must be a non-empty string');
    const consumer: unknown = body.consumer === undefined ? 'http' : body.consumer;
    const problem = consumerNameProblem(consumer);
    if (problem) return fail(reply, 400, `"consumer": ${problem}`);
    if (body.peek !== undefined && typeof body.peek !== 'boolean') return fail(reply, 400, '"peek" must be true or false');
    return runAndReply(reply, body.sql, consumer as string, body.peek === true);
  });

  app.get('/v1/tables', async () => ({
    tables: deps
      .tables()
      .map((t) => ({ name: t.name, description: t.description, columns: t.columns.map((c) => ({ name: c.name, type: c.type, ...(c.hidden ? { hidden: true } : {}) })) }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  }));

  app.get('/v1/tables/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    const table = deps.tables().find((t) => t.name === name || t.aliases?.includes(name));
    if (!table) return fail(reply, 404, `no such table: ${name}; GET /v1/tables lists them`);
    return {
      name: table.name,
      description: table.description,
      columns: table.columns.map((c) => ({ name: c.name, type: c.type, ...(c.hidden ? { hidden: true } : {}), ...(c.required ? { required: true } : {}), ...(c.index ? { index: true } : {}) })),
      schema: schemaOf(table),
    };
  });

  /** osquery's alias of an event table (`syslog`) names the table itself (`syslog_events`): one ring, one cursor. */
  const canonicalEventTable = (name: string): string =>
    Object.entries(EVENT_TABLE_ALIASES).find(([, aliases]) => aliases.includes(name))?.[0] ?? name;

  const eventTable = (reply: FastifyReply, table: string): boolean => {
    if (!deps.eventTableNames().has(table)) {
      void fail(reply, 404, `no such event table: ${table}; event tables are: ${[...deps.eventTableNames()].sort().join(', ')}`);
      return false;
    }
    return true;
  };

  app.get('/v1/events/:table', async (request, reply) => {
    const table = canonicalEventTable((request.params as { table: string }).table);
    const query = request.query as { consumer?: string; peek?: string };
    if (!eventTable(reply, table)) return reply;
    const consumer = query.consumer ?? 'http';
    const problem = consumerNameProblem(consumer) ?? consumers.problem(table, consumer);
    if (problem) return fail(reply, 400, problem);
    if (query.peek !== undefined && !['true', 'false', '1', '0'].includes(query.peek)) return fail(reply, 400, 'peek must be true or false');
    return runAndReply(reply, `SELECT *, eid FROM ${table}`, consumer, query.peek === 'true' || query.peek === '1');
  });

  app.get('/v1/events/:table/stream', async (request, reply) => {
    const table = canonicalEventTable((request.params as { table: string }).table);
    const query = request.query as { consumer?: string; where?: string };
    if (!eventTable(reply, table)) return reply;
    if (query.consumer !== undefined) {
      const problem = consumerNameProblem(query.consumer) ?? consumers.problem(table, query.consumer);
      if (problem) return fail(reply, 400, problem);
    }
    const header = request.headers['last-event-id'];
    let lastEventId: number | undefined;
    if (header !== undefined) {
      lastEventId = Number(Array.isArray(header) ? header[0] : header);
      if (!Number.isInteger(lastEventId) || lastEventId < 0) return fail(reply, 400, 'Last-Event-ID must be the eid (a non-negative integer) of the last row received');
    }
    if (query.where !== undefined) {
      const problem = whereProblem(query.where);
      if (problem) return fail(reply, 400, problem);
      const key = `${table}\u0000${query.where}`;
      let check = validWhere.get(key);
      if (!check) {
        // one probe per distinct expression, shared by every client that sends it (in flight or done)
        const where = query.where;
        check = (async () => {
          for (let attempt = 0; ; attempt++) {
            try {
              const probe = await deps.pool.run({ sql: `SELECT eid FROM ${table} WHERE (${where}) LIMIT 0`, peek: true, consumer: 'http_stream' });
              probe.discard();
              return undefined;
            } catch (error) {
              const failure = error instanceof QueryFailure ? error : new QueryFailure((error as Error).message, 'crash');
              if (failure.kind === 'busy' && attempt < 20) {
                await new Promise((r) => setTimeout(r, 25 * (attempt + 1)));
                continue;
              }
              return failure;
            }
          }
        })();
        if (validWhere.size > 1000) validWhere.clear();
        validWhere.set(key, check);
      }
      const failure = await check;
      if (failure) {
        if (failure.kind !== 'sql') {
          validWhere.delete(key);
          return fail(reply, statusForFailure(failure), failure.message);
        }
        return fail(reply, 400, `where is not a valid expression over ${table}: ${failure.message}`);
      }
    }
    const ring = deps.ring(table);
    // A stream with a consumer drains it: it holds the consumer's drain lease while it is open, so queries draining
    // the same consumer (and other streams for it) get 409 instead of rows the stream also sends.
    const lease = query.consumer !== undefined ? drainOwner() : undefined;
    if (lease && query.consumer !== undefined) {
      try {
        ring.acquireDrain(query.consumer, lease);
      } catch (error) {
        if (error instanceof DrainBusyError) return fail(reply, 409, error.message);
        throw error;
      }
    }
    reply.hijack();
    deps.streams.open({
      table,
      ring,
      ...(lease ? { lease } : {}),
      response: reply.raw,
      ...(lastEventId !== undefined ? { lastEventId } : {}),
      ...(query.where !== undefined ? { where: query.where } : {}),
      ...(query.consumer !== undefined ? { consumer: query.consumer } : {}),
    });
    return reply;
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });

  app.get('/v1/openapi.json', async () => openApiDocument(deps.version));
  return app;
}
