/**
 * The node's session with the TLS server: enrollment (osquery's TLSEnrollPlugin) and every later request carrying the
 * node_key. The node_key is kept in the database (`kv:fleet`, inside the LMDB environment whose files are 0600), so a
 * restart does not enroll again. Any answer with `node_invalid: true` makes the node enroll again (unless
 * --disable_reenrollment) and the request is retried once with the new key.
 */
import { readFileSync } from 'node:fs';
import type { KeyValueStore } from '@quarry/buffers';
import { RemoteError } from './remote-errors.js';
import type { JsonObject, PostOptions, TlsClient } from './tls-client.js';

export const NODE_KEY = 'node_key';

export interface FleetLog {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export interface SessionOptions {
  client: TlsClient;
  /** Where the node_key is kept (the daemon's `kv:fleet`). */
  state: KeyValueStore;
  log: FleetLog;
  enrollEndpoint: string;
  secretPath: string;
  secretEnv: string;
  /** --tls_enroll_override: the name the secret is sent under. */
  secretKeyName: string;
  /** --tls_secret_always: the secret also goes as a URI variable on every request. */
  secretAlways: boolean;
  disableEnrollment: boolean;
  disableReenrollment: boolean;
  /** --enroll_always: enroll once at start even with a stored node_key. */
  enrollAlways?: boolean;
  enrollMaxAttempts: number;
  enrollMaxIntervalSeconds: number;
  hostIdentifier: () => string;
  /** os_version, osquery_info, system_info, platform_info: one row each (an empty object when a table is missing). */
  hostDetails: () => Promise<Record<string, Record<string, string>>>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

export class RemoteSession {
  private enrolling: Promise<string> | undefined;
  private closed = false;
  private enrolledOnce = false;

  constructor(private readonly options: SessionOptions) {}

  get client(): TlsClient {
    return this.options.client;
  }

  nodeKey(): string {
    return this.options.state.get(NODE_KEY) ?? '';
  }

  /** The enroll secret from --enroll_secret_path or --enroll_secret_env (trimmed); '' when neither is set. */
  secret(): string {
    const { secretPath, secretEnv } = this.options;
    if (secretPath !== '') {
      try {
        return readFileSync(secretPath, 'utf8').trim();
      } catch (error) {
        throw new RemoteError(`--enroll_secret_path ${secretPath} cannot be read: ${(error as Error).message}`, 'config');
      }
    }
    if (secretEnv !== '') {
      const value = process.env[secretEnv];
      if (value === undefined) throw new RemoteError(`--enroll_secret_env names ${secretEnv}, which is not set in quarryd's environment`, 'config');
      return value.trim();
    }
    return '';
  }

  /** The node_key, enrolling first when there is none (or `force`). Concurrent callers share one enrollment. */
  ensureEnrolled(force = false): Promise<string> {
    if (this.options.enrollAlways && !this.enrolledOnce) force = true;
    const current = this.nodeKey();
    if (!force && current !== '') return Promise.resolve(current);
    if (this.options.disableEnrollment) {
      return force || current === ''
        ? Promise.reject(new RemoteError('the node has no valid node_key and --disable_enrollment is set: enroll it another way or drop the flag', 'node-invalid'))
        : Promise.resolve(current);
    }
    this.enrolling ??= this.enrollWithRetries().finally(() => (this.enrolling = undefined));
    return this.enrolling;
  }

  private async enrollWithRetries(): Promise<string> {
    const { enrollMaxAttempts, enrollMaxIntervalSeconds, log } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.enrollOnce();
      } catch (error) {
        const last = enrollMaxAttempts > 0 && attempt >= enrollMaxAttempts;
        log.warning(`Enrollment attempt ${attempt}${enrollMaxAttempts > 0 ? ` of ${enrollMaxAttempts}` : ''} failed: ${(error as Error).message}`);
        if (last || this.closed || (error instanceof RemoteError && error.kind === 'config')) throw error;
        await sleep(Math.min(2 ** (attempt - 1), Math.max(1, enrollMaxIntervalSeconds)) * 1000);
      }
    }
  }

  private async enrollOnce(): Promise<string> {
    const { enrollEndpoint, secretKeyName, client, log, state } = this.options;
    if (enrollEndpoint === '') throw new RemoteError('--enroll_tls_endpoint is empty: set it to the server\'s enroll path (Fleet: /api/osquery/enroll)', 'config');
    const body: JsonObject = {
      [secretKeyName]: this.secret(),
      host_identifier: this.options.hostIdentifier(),
      host_details: await this.options.hostDetails(),
    };
    const answer = await client.post(this.withSecret(enrollEndpoint), body);
    const key = answer.node_key;
    if (answer.node_invalid === true || typeof key !== 'string' || key === '') {
      throw new RemoteError(`the server refused the enrollment${typeof answer.error === 'string' ? `: ${answer.error}` : ' (no node_key in its answer)'}; check the enroll secret`, 'node-invalid');
    }
    state.putSync(NODE_KEY, key);
    this.enrolledOnce = true;
    log.info(`Enrolled with ${client.endpoint.origin} as ${String(body.host_identifier)}`);
    return key;
  }

  /** The endpoint path, with the secret as a URI variable when --tls_secret_always. */
  private withSecret(path: string): string {
    if (!this.options.secretAlways) return path;
    const secret = this.secret();
    return `${path}${path.includes('?') ? '&' : '?'}${encodeURIComponent(this.options.secretKeyName)}=${encodeURIComponent(secret)}`;
  }

  /**
   * POSTs `body` plus the node_key to `path`, up to `attempts` times (1 s, 2 s, 4 s apart). `node_invalid: true`
   * makes the node enroll again and the request go once more with the new key.
   */
  async request(path: string, body: JsonObject, attempts: number, options: PostOptions = {}): Promise<JsonObject> {
    let lastError: unknown;
    const tries = Math.max(1, attempts);
    let reenrolled = false;
    for (let attempt = 1; attempt <= tries; attempt++) {
      if (this.closed) break;
      try {
        const key = await this.ensureEnrolled();
        const answer = await this.options.client.post(this.withSecret(path), { ...body, node_key: key }, options);
        if (answer.node_invalid !== true) return answer;
        if (this.options.disableReenrollment || reenrolled) {
          throw new RemoteError(`${path}: the server says the node_key is invalid${this.options.disableReenrollment ? ' and --disable_reenrollment is set' : ' even after enrolling again'}`, 'node-invalid');
        }
        this.options.log.warning(`${path}: the server says the node_key is invalid; enrolling again`);
        reenrolled = true;
        // Another loop may already have enrolled again since this request went out: only enroll when the key is the same.
        if (this.nodeKey() === key) await this.ensureEnrolled(true);
        attempt--; // the re-enrolled retry does not count as a failed attempt
      } catch (error) {
        lastError = error;
        if (error instanceof RemoteError && (error.kind === 'config' || error.kind === 'node-invalid')) throw error;
        if (attempt < tries) await sleep(1000 * 2 ** (attempt - 1));
      }
    }
    throw lastError ?? new RemoteError(`${path}: the session is closed`, 'network');
  }

  close(): void {
    this.closed = true;
  }
}
