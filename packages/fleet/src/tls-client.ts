/**
 * One JSON POST to the TLS server over node:https (or node:http for an allowed loopback), as osquery's TLS transport
 * makes them: the body is JSON (gzip-compressed when asked), the answer must be HTTP 200 with a JSON object no larger
 * than --tls_max_response_size. Every failure is a RemoteError that says what to check.
 */
import http from 'node:http';
import https from 'node:https';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ProxyAgent } from './proxy-agent.js';
import { describeConnectionError, RemoteError } from './remote-errors.js';
import type { RemoteEndpoint } from './remote-endpoint.js';

export type JsonObject = Record<string, unknown>;

export interface PostOptions {
  /** gzip the request body (Content-Encoding: gzip). */
  compress?: boolean;
  /**
   * Fields whose value is already JSON text, spliced into the body as is (the tls logger's `data`: lines that are
   * JSON already are not parsed and serialised again).
   */
  rawFields?: Record<string, string>;
}

/** `body` as JSON text, with `raw` fields (JSON text already) appended. */
export function jsonBody(body: JsonObject, raw: Record<string, string> = {}): string {
  let text = JSON.stringify(body);
  const extra = Object.entries(raw).map(([key, value]) => `${JSON.stringify(key)}:${value}`);
  if (extra.length > 0) text = `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}${extra.join(',')}}`;
  return text;
}

export class TlsClient {
  private readonly agent: http.Agent;

  /** With --tls_dump: receives each request and answer body (the enroll secret and node_key included, as osquery). */
  onDump: ((text: string) => void) | undefined;

  constructor(readonly endpoint: RemoteEndpoint) {
    // noDelay: a large body followed by a wait for the answer must not sit in Nagle's buffer (40 ms per request)
    const common = { keepAlive: endpoint.keepAlive, maxSockets: 4, noDelay: true };
    const tlsOptions: https.AgentOptions = {
      ...common,
      ...(endpoint.ca ? { ca: endpoint.ca } : {}),
      ...(endpoint.cert ? { cert: endpoint.cert, key: endpoint.key } : {}),
      // node sends SNI and checks the certificate against the URL's host (a name or an IP SAN) itself
      rejectUnauthorized: endpoint.rejectUnauthorized,
    };
    this.agent = !endpoint.origin.startsWith('https:')
      ? new http.Agent(common)
      : endpoint.proxy
        ? new ProxyAgent(endpoint.proxy, tlsOptions)
        : new https.Agent(tlsOptions);
  }

  /** POSTs `body` as JSON to `path` (an endpoint flag's value, may carry a query string); resolves with the answer. */
  post(path: string, body: JsonObject, options: PostOptions = {}): Promise<JsonObject> {
    const url = this.endpoint.origin + (path.startsWith('/') ? path : `/${path}`);
    const text = jsonBody(body, options.rawFields);
    if (this.endpoint.dump) this.onDump?.(`TLS request POST ${url}: ${text}`);
    let payload: Buffer = Buffer.from(text);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (options.compress) {
      payload = gzipSync(payload);
      headers['content-encoding'] = 'gzip';
    }
    if (this.endpoint.acceptGzip) headers['accept-encoding'] = 'gzip';
    headers['content-length'] = String(payload.length);
    const transport = url.startsWith('https:') ? https : http;
    return new Promise<JsonObject>((resolve, reject) => {
      const request = transport.request(url, { method: 'POST', headers, agent: this.agent, timeout: this.endpoint.timeoutMs }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.endpoint.maxResponseBytes) {
            response.destroy();
            reject(new RemoteError(`${url}: the answer is larger than --tls_max_response_size (${this.endpoint.maxResponseBytes} bytes); it was not read`, 'too-large'));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', (error) => reject(describeConnectionError(error, url)));
        response.on('end', () => {
          if (size > this.endpoint.maxResponseBytes) return;
          try {
            resolve(this.parseAnswer(url, response, Buffer.concat(chunks)));
          } catch (error) {
            reject(error);
          }
        });
      });
      request.on('timeout', () => request.destroy(new RemoteError(`${url}: no answer within --tls_request_timeout (${this.endpoint.timeoutMs / 1000} s)`, 'timeout')));
      request.on('error', (error) => reject(error instanceof RemoteError ? error : describeConnectionError(error, url)));
      request.end(payload);
    });
  }

  private parseAnswer(url: string, response: http.IncomingMessage, raw: Buffer): JsonObject {
    let body = raw;
    if (response.headers['content-encoding'] === 'gzip') {
      try {
        body = gunzipSync(raw, { maxOutputLength: this.endpoint.maxResponseBytes });
      } catch (error) {
        throw new RemoteError(`${url}: the gzip answer cannot be decompressed within --tls_max_response_size: ${(error as Error).message}`, 'too-large');
      }
    }
    const text = body.toString('utf8');
    const status = response.statusCode ?? 0;
    if (this.endpoint.dump) this.onDump?.(`TLS answer from ${url}: HTTP ${status}: ${text}`);
    if (status !== 200) {
      throw new RemoteError(`${url}: HTTP ${status} ${response.statusMessage ?? ''}`.trim() + excerpt(text), 'http-status', status);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new RemoteError(`${url}: the answer is not JSON${excerpt(text)}`, 'not-json');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new RemoteError(`${url}: the answer is JSON but not an object${excerpt(text)}`, 'not-json');
    }
    return value as JsonObject;
  }

  close(): void {
    this.agent.destroy();
  }
}

function excerpt(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (trimmed === '') return ' (empty body)';
  return ` (body starts: ${JSON.stringify(trimmed.slice(0, 80))})`;
}
