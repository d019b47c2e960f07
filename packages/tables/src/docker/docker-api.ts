/**
 * The Docker Engine API over its UNIX socket (osquery's --docker_socket), read synchronously from table generators
 * through the remote tables' worker thread (sync-http). One DockerApi serves one generator call: the first failure to
 * reach the socket becomes ONE warning naming the socket, later requests of the same call are not attempted, and the
 * table yields no rows — a missing or stopped dockerd never fails the query of other tables.
 */
import { runRemoteJobsSync, type HttpGetJob } from '../remote/sync-http.js';

/** osquery's default for --docker_socket. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
/** Most bytes of one API answer (a host with thousands of containers stays far below). */
export const DOCKER_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Bound on one API request (connect, headers and body). */
export const DOCKER_REQUEST_TIMEOUT_MS = 5000;

/** @quarry/config's Flags, or the daemon worker's view of them. */
export interface DockerFlagReader {
  value(name: string): unknown;
  has?(name: string): boolean;
}

export interface DockerTableDeps {
  /** docker_socket is read at every query. */
  readonly flags?: DockerFlagReader;
}

/** The socket --docker_socket names (default /var/run/docker.sock). */
export function dockerSocketOf(flags: DockerFlagReader | undefined): string {
  const value = flags && (flags.has?.('docker_socket') ?? true) ? flags.value('docker_socket') : undefined;
  return typeof value === 'string' && value.length > 0 ? value : DEFAULT_DOCKER_SOCKET;
}

/** A JSON object of an API answer; every field is optional (older and newer engines differ). */
export type DockerObject = Record<string, unknown>;

const CONNECTION_ERRORS = /ENOENT|ECONNREFUSED|EACCES|EPERM|ENOTSOCK|ECONNRESET|EPIPE|timeout|closed before/i;

export class DockerApi {
  private unreachable = false;
  private readonly warned = new Set<string>();

  constructor(
    readonly socket: string,
    private readonly warn: (message: string) => void,
    private readonly timeoutMs: number = DOCKER_REQUEST_TIMEOUT_MS,
  ) {}

  /** GET one API path (with its query string); undefined (after a warning) when it failed. */
  get(path: string): unknown {
    return this.getAll([path])[0];
  }

  /** GET several paths concurrently; each answer in order, undefined for a failed one. */
  getAll(paths: readonly string[]): unknown[] {
    if (this.unreachable || paths.length === 0) return paths.map(() => undefined);
    const jobs: HttpGetJob[] = paths.map((path) => ({
      kind: 'http-get',
      url: `http://docker${path}`,
      socketPath: this.socket,
      timeoutMs: this.timeoutMs,
      maxBytes: DOCKER_MAX_BODY_BYTES,
      overflow: 'fail',
      headers: { Accept: 'application/json' },
    }));
    const results = runRemoteJobsSync(jobs);
    return results.map((result, index) => {
      const path = paths[index]!;
      if (!result.ok) {
        if (CONNECTION_ERRORS.test(result.error)) {
          this.unreachable = true;
          this.warnOnce(
            `Error connecting to docker sock ${this.socket}: ${result.error}; no rows from the docker tables (is dockerd running? set --docker_socket to its socket; reading it needs root or the docker group)`,
          );
        } else {
          this.warnOnce(`docker API GET ${path} on ${this.socket} failed: ${result.error}`);
        }
        return undefined;
      }
      const text = new TextDecoder().decode(result.body);
      if (result.status !== 200) {
        this.warnOnce(`docker API GET ${path} on ${this.socket} answered HTTP ${result.status}: ${messageOf(text)}`);
        return undefined;
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        this.warnOnce(`Invalid docker API response for ${path} on ${this.socket}: not JSON (is it a Docker Engine socket? set --docker_socket to dockerd's socket)`);
        return undefined;
      }
    });
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.warn(message);
  }
}

function messageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not the engine's JSON error: show the start of the body
  }
  const trimmed = text.trim().slice(0, 200);
  return trimmed.length > 0 ? trimmed : '(empty body)';
}
