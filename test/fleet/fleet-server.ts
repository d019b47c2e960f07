/**
 * A small osquery TLS remote API server for tests and benches (node:https on 127.0.0.1, Fleet's paths): enroll,
 * config, log, distributed read/write. It records what nodes send, and can misbehave on demand: invalidate node keys,
 * go down and come back on the same port, answer slowly, or answer 500 / 404 / HTML / invalid JSON / a huge body.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KeyPair } from './test-pki.js';

export const PATHS = {
  enroll: '/api/osquery/enroll',
  config: '/api/osquery/config',
  log: '/api/osquery/log',
  read: '/api/osquery/distributed/read',
  write: '/api/osquery/distributed/write',
} as const;

export type Misbehaviour = '500' | '404' | 'html' | 'invalid-json' | 'huge' | 'slow';

export interface RecordedRequest {
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: any;
  /** The TLS client certificate's subject CN, when one was presented. */
  clientCn?: string;
}

export interface FleetServerOptions {
  /** Server certificate; none = plain HTTP. */
  tls?: KeyPair;
  /** Require and verify a client certificate signed by this CA file (mutual TLS). */
  clientCa?: string;
  enrollSecret?: string;
  /** The name the secret comes under (osquery's --tls_enroll_override). */
  secretField?: string;
}

export class FleetServer {
  readonly requests: RecordedRequest[] = [];
  /** Every `data` line the log endpoint accepted, in order, with its log_type. */
  readonly logs: { log_type: string; line: any }[] = [];
  /** Distributed results by query id. */
  readonly results = new Map<string, { rows: any[]; status: number; message?: string; at: number }>();
  readonly nodeKeys = new Set<string>();
  readonly enrollments: any[] = [];
  config: object = { schedule: {} };
  queries: Record<string, string> = {};
  discovery: Record<string, string> = {};
  accelerate = 0;
  /** Misbehaviour per path (a path missing here answers normally). */
  readonly misbehave = new Map<string, Misbehaviour>();
  slowMs = 3000;
  port = 0;
  private server: http.Server | https.Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: FleetServerOptions = {}) {
    this.server = this.create();
  }

  get origin(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** `127.0.0.1:port`, the value of --tls_hostname. */
  get hostname(): string {
    return `127.0.0.1:${this.port}`;
  }

  private create(): http.Server | https.Server {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    const server = this.options.tls
      ? https.createServer(
          {
            cert: readFileSync(this.options.tls.cert),
            key: readFileSync(this.options.tls.key),
            ...(this.options.clientCa ? { ca: readFileSync(this.options.clientCa), requestCert: true, rejectUnauthorized: true } : {}),
          },
          handler,
        )
      : http.createServer(handler);
    server.on(this.options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('tlsClientError', () => undefined);
    return server;
  }

  async start(port = this.port): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Goes down: stops listening and cuts every open connection. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.server = this.create();
  }

  /** Comes back on the same port. */
  restart(): Promise<this> {
    return this.start(this.port);
  }

  invalidateNodeKeys(): void {
    this.nodeKeys.clear();
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let raw = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/_stats') return this.send(res, 200, { logs: this.logs.length, results: this.results.size });
    let body: any;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return this.send(res, 400, { error: 'request body is not JSON' });
    }
    const peer = (req.socket as any).getPeerCertificate?.();
    this.requests.push({ path: url.pathname, query: url.searchParams, headers: req.headers, body, ...(peer?.subject?.CN ? { clientCn: peer.subject.CN } : {}) });
    const trouble = this.misbehave.get(url.pathname);
    if (trouble === 'slow') await new Promise((r) => setTimeout(r, this.slowMs));
    else if (trouble) return this.misbehaveOn(res, trouble);
    switch (url.pathname) {
      case PATHS.enroll:
        return this.enroll(res, body);
      case PATHS.config:
        return this.authenticated(res, body, () => this.config);
      case PATHS.log:
        return this.authenticated(res, body, () => {
          for (const line of body.data ?? []) this.logs.push({ log_type: body.log_type, line });
          return {};
        });
      case PATHS.read:
        return this.authenticated(res, body, () => {
          const answer: any = { queries: this.queries };
          if (Object.keys(this.discovery).length > 0) answer.discovery = this.discovery;
          if (this.accelerate > 0) answer.accelerate = this.accelerate;
          this.queries = {};
          this.discovery = {};
          return answer;
        });
      case PATHS.write:
        return this.authenticated(res, body, () => {
          for (const [id, rows] of Object.entries<any[]>(body.queries ?? {})) {
            this.results.set(id, { rows, status: body.statuses?.[id], message: body.messages?.[id], at: Date.now() });
          }
          return {};
        });
      default:
        return this.send(res, 404, { error: 'not found' });
    }
  }

  private enroll(res: http.ServerResponse, body: any): void {
    this.enrollments.push(body);
    const secret = body[this.options.secretField ?? 'enroll_secret'];
    if (this.options.enrollSecret !== undefined && secret !== this.options.enrollSecret) {
      return this.send(res, 200, { node_invalid: true, error: 'invalid enroll secret' });
    }
    const key = randomBytes(12).toString('hex');
    this.nodeKeys.add(key);
    this.send(res, 200, { node_key: key });
  }

  private authenticated(res: http.ServerResponse, body: any, answer: () => object): void {
    if (!this.nodeKeys.has(body.node_key)) return this.send(res, 200, { node_invalid: true });
    this.send(res, 200, answer());
  }

  private misbehaveOn(res: http.ServerResponse, trouble: Misbehaviour): void {
    if (trouble === '500') return this.send(res, 500, { error: 'internal error' });
    if (trouble === '404') return this.send(res, 404, { error: 'not found' });
    if (trouble === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
      return;
    }
    if (trouble === 'invalid-json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"node_key": "abc", ');
      return;
    }
    // huge: a 50 MB body, written in 1 MB chunks
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const more = () => {
      while (sent < 50) {
        sent++;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      res.end('{}');
    };
    res.on('error', () => undefined);
    more();
  }

  private send(res: http.ServerResponse, status: number, body: object): void {
    const text = JSON.stringify(body);
    if (String(res.req.headers['accept-encoding'] ?? '').includes('gzip')) {
      res.writeHead(status, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(text));
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(text);
  }

  async close(): Promise<void> {
    await this.stop().catch(() => undefined);
  }
}
