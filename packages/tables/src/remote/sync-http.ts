/**
 * Synchronous network calls for table generators. Generators are synchronous (as osquery's), so the calls run on a
 * short-lived worker thread while the query thread waits on an Atomics cell; the query thread is a query worker of the
 * daemon or the shell, never an event loop that serves others. Every job of one call runs concurrently on the worker,
 * each bounded by its own timeout, and the wait itself is bounded, so a dead or slow peer never hangs a query.
 *
 * Shared by the remote tables (curl, curl_certificate, prometheus_metrics) and yara's sigurl download.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';

/** One HTTP(S) GET. */
export interface HttpGetJob {
  readonly kind: 'http-get';
  readonly url: string;
  /** Bound on the whole exchange: connect, headers and body. */
  readonly timeoutMs: number;
  /** Most body bytes kept. */
  readonly maxBytes: number;
  /** 'truncate' keeps the first maxBytes and reports truncated; 'fail' turns a larger body into an error. */
  readonly overflow: 'truncate' | 'fail';
  readonly headers?: Readonly<Record<string, string>>;
  /** Extra CA certificates (PEM) to trust instead of the defaults, e.g. osquery's --tls_server_certs. */
  readonly ca?: string;
  /** Connect to this UNIX socket instead of the URL's host (http:// only), e.g. the Docker Engine's socket. */
  readonly socketPath?: string;
}

/** One TLS handshake to read the peer's certificate (no HTTP). */
export interface TlsCertificateJob {
  readonly kind: 'tls-certificate';
  readonly host: string;
  readonly port: number;
  /** SNI name; omitted for IP addresses. */
  readonly servername?: string;
  readonly timeoutMs: number;
}

export type RemoteJob = HttpGetJob | TlsCertificateJob;

export interface HttpGetResult {
  readonly ok: true;
  readonly kind: 'http-get';
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
  readonly truncated: boolean;
  /** From the request's start to the body's last byte, in microseconds. */
  readonly roundTripMicros: number;
  /** Wall clock (ms since the epoch) when the response headers arrived. */
  readonly receivedAtMs: number;
}

export interface TlsCertificateResult {
  readonly ok: true;
  readonly kind: 'tls-certificate';
  /** DER of the peer certificate (leaf). */
  readonly der: Uint8Array;
}

export interface RemoteFailure {
  readonly ok: false;
  /** What went wrong, without the target (the caller names it). */
  readonly error: string;
}

export type RemoteResult<J extends RemoteJob> = (J extends HttpGetJob ? HttpGetResult : TlsCertificateResult) | RemoteFailure;

/** Time allowed, beyond the longest job timeout, for the worker to start and answer. */
const WORKER_GRACE_MS = 2000;

function workerScript(): URL {
  // Next to this module in dist/remote/, or dist/remote/ seen from the tables bundle in dist/.
  for (const candidate of ['./sync-http-worker.js', './remote/sync-http-worker.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error(`the network worker sync-http-worker.js was not found next to ${fileURLToPath(import.meta.url)}; rebuild @quarry/tables`);
}

/**
 * Runs the jobs concurrently on one worker thread and blocks until all settle. Results come back in job order; a job
 * that failed (refused, timed out, bad TLS, ...) gives `{ ok: false, error }`. Never throws for a network problem.
 */
export function runRemoteJobsSync<const J extends readonly RemoteJob[]>(jobs: J): { [K in keyof J]: RemoteResult<J[K]> } {
  type Results = { [K in keyof J]: RemoteResult<J[K]> };
  if (jobs.length === 0) return [] as unknown as Results;
  const longest = Math.max(...jobs.map((job) => job.timeoutMs));
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(workerScript(), { workerData: { jobs, signal, port: port2 }, transferList: [port2] });
  try {
    const waited = Atomics.wait(signal, 0, 0, longest + WORKER_GRACE_MS);
    const message = receiveMessageOnPort(port1)?.message as RemoteResult<RemoteJob>[] | undefined;
    if (!message) {
      const error = waited === 'timed-out' ? `no answer within ${longest} ms` : 'the network worker stopped without an answer';
      return jobs.map(() => ({ ok: false, error })) as unknown as Results;
    }
    return message as unknown as Results;
  } finally {
    port1.close();
    void worker.terminate();
  }
}

/** One GET (see runRemoteJobsSync). */
export function httpGetSync(job: Omit<HttpGetJob, 'kind'>): HttpGetResult | RemoteFailure {
  const [result] = runRemoteJobsSync([{ kind: 'http-get', ...job }] as const);
  return result;
}
