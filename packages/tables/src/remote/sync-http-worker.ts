/** Worker of runRemoteJobsSync: runs every job concurrently, posts the results in order, then wakes the waiting thread. */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { workerData, type MessagePort } from 'node:worker_threads';
import type { HttpGetJob, HttpGetResult, RemoteFailure, RemoteJob, TlsCertificateJob, TlsCertificateResult } from './sync-http.js';

const { jobs, signal, port } = workerData as { jobs: RemoteJob[]; signal: Int32Array; port: MessagePort };

function failure(error: unknown): RemoteFailure {
  const text = error instanceof Error ? error.message || error.name : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return { ok: false, error: typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text };
}

function httpGet(job: HttpGetJob): Promise<HttpGetResult | RemoteFailure> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (result: HttpGetResult | RemoteFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let target: URL;
    try {
      target = new URL(job.url);
    } catch {
      settle({ ok: false, error: 'not a valid URL' });
      return;
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      settle({ ok: false, error: `unsupported scheme '${target.protocol}' (use http:// or https://)` });
      return;
    }
    const started = process.hrtime.bigint();
    const options = { method: 'GET', headers: { ...job.headers }, ...(job.ca ? { ca: job.ca } : {}), ...(job.socketPath ? { socketPath: job.socketPath } : {}) };
    const call = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, options, (response: IncomingMessage) => {
      const receivedAtMs = Date.now();
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const finish = (): void => {
        const body = Buffer.concat(chunks);
        settle({
          ok: true,
          kind: 'http-get',
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
          truncated,
          roundTripMicros: Number((process.hrtime.bigint() - started) / 1000n),
          receivedAtMs,
        });
      };
      response.on('data', (chunk: Buffer) => {
        if (size + chunk.length > job.maxBytes) {
          if (job.overflow === 'fail') {
            settle({ ok: false, error: `the response is larger than ${job.maxBytes} bytes` });
          } else {
            chunks.push(chunk.subarray(0, job.maxBytes - size));
            size = job.maxBytes;
            truncated = true;
            finish();
          }
          response.destroy();
          return;
        }
        size += chunk.length;
        chunks.push(chunk);
      });
      response.on('end', finish);
      response.on('error', (error) => settle(failure(error)));
      response.on('aborted', () => settle({ ok: false, error: 'the connection closed before the response ended' }));
    });
    timer = setTimeout(() => {
      settle({ ok: false, error: `no complete answer within ${job.timeoutMs} ms (timeout)` });
      call.destroy();
    }, job.timeoutMs);
    call.on('error', (error) => settle(failure(error)));
    call.end();
  });
}

function tlsCertificate(job: TlsCertificateJob): Promise<TlsCertificateResult | RemoteFailure> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let socket: TLSSocket | undefined;
    const settle = (result: TlsCertificateResult | RemoteFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve(result);
    };
    // The certificate is read, not trusted: osquery's table reports self-signed and expired certificates too.
    socket = tlsConnect({ host: job.host, port: job.port, rejectUnauthorized: false, ...(job.servername ? { servername: job.servername } : {}) }, () => {
      const peer = socket!.getPeerCertificate(false);
      if (!peer || !peer.raw) {
        settle({ ok: false, error: 'the server sent no certificate' });
        return;
      }
      settle({ ok: true, kind: 'tls-certificate', der: new Uint8Array(peer.raw) });
    });
    timer = setTimeout(() => settle({ ok: false, error: `no TLS handshake within ${job.timeoutMs} ms (timeout)` }), job.timeoutMs);
    socket.on('error', (error) => settle(failure(error)));
  });
}

const results = await Promise.all(jobs.map((job) => (job.kind === 'http-get' ? httpGet(job) : tlsCertificate(job)).catch(failure)));
port.postMessage(results);
Atomics.store(signal, 0, 1);
Atomics.notify(signal, 0);
