/**
 * The `tls` config plugin (--config_plugin=tls): POSTs the node_key to --config_tls_endpoint (up to
 * --config_tls_max_attempts times) and hands the answer, as JSON text, to `apply` — the daemon applies it exactly as a
 * file config. Refreshed every --config_refresh seconds; after a failed fetch or a config that does not apply, the
 * next try comes after --config_accelerated_refresh seconds (also when --config_refresh is 0, so a node that starts
 * before its server gets a config once the server is up). A bad answer keeps the last good config.
 */
import type { FleetLog, RemoteSession } from './remote-session.js';

export interface TlsConfigOptions {
  session: RemoteSession;
  log: FleetLog;
  endpoint: string;
  maxAttempts: number;
  refreshSeconds: number;
  acceleratedRefreshSeconds: number;
  /** Applies the config text; returns false (after logging why) when it was not applied. */
  apply: (text: string) => Promise<boolean> | boolean;
}

export class TlsConfigSource {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  fetches = 0;
  failures = 0;

  constructor(private readonly options: TlsConfigOptions) {}

  /** One fetch-and-apply; true when a config was applied. Never throws. */
  async refresh(): Promise<boolean> {
    const { session, endpoint, maxAttempts, log } = this.options;
    this.fetches++;
    let text: string;
    try {
      if (endpoint === '') throw new Error('--config_tls_endpoint is empty: set it to the server\'s config path (Fleet: /api/osquery/config)');
      const answer = await session.request(endpoint, {}, maxAttempts);
      delete answer.node_invalid;
      text = JSON.stringify(answer);
    } catch (error) {
      this.failures++;
      log.error(`tls config: fetching ${endpoint} failed: ${(error as Error).message}; keeping the last good config`);
      return false;
    }
    const applied = await this.options.apply(text);
    if (!applied) this.failures++;
    return applied;
  }

  /** Starts the refresh loop (the first fetch is the caller's). */
  schedule(lastOk: boolean): void {
    if (this.closed) return;
    const { refreshSeconds, acceleratedRefreshSeconds } = this.options;
    const seconds = lastOk ? refreshSeconds : Math.max(1, acceleratedRefreshSeconds);
    if (seconds <= 0) return;
    this.timer = setTimeout(() => void this.refresh().then((ok) => this.schedule(ok)), seconds * 1000);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }
}
