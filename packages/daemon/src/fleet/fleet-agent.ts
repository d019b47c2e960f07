/**
 * quarryd's side of osquery's TLS remote API (@quarry/fleet): builds the session (enrollment, node_key in `kv:fleet`),
 * the tls config source, the tls logger (outbox ring `tls_logger`) and the distributed query loop from the flags, and
 * feeds them what only the daemon has: the query pool (host details at enrollment, distributed queries), the status
 * log, the host identifier and the config code that applies a fetched config.
 */
import type { EventStore } from '@quarry/buffers';
import type { Flags } from '@quarry/config';
import type { EventStatus } from '@quarry/events';
import { DistributedQueries, remoteEndpointFromFlags, RemoteSession, TlsClient, TlsConfigSource, TlsLogger, TLS_OUTBOX_STORE, type FleetLog } from '@quarry/fleet';
import { Gauge, type Registry } from 'prom-client';
import { quarryVersion } from '@quarry/tables';
import type { QueryPool } from '../pool/query-pool.js';
import { QueryFailure } from '../pool/query-pool.js';
import { calendarTime } from '../results/result-format.js';
import type { StatusLog } from '../status-log.js';

export interface FleetAgentDeps {
  flags: Flags;
  log: StatusLog;
  store: EventStore;
  pool: () => QueryPool;
  hostIdentifier: () => string;
  /** Applies a config text exactly as a file config; false (after logging why) when it did not apply. */
  applyConfig: (text: string) => Promise<boolean>;
}

const HOST_DETAIL_TABLES = ['os_version', 'osquery_info', 'system_info', 'platform_info'];

function loggerPlugins(flags: Flags): string[] {
  return flags.string('logger_plugin').split(',').map((name) => name.trim()).filter(Boolean);
}

/** True when any part of the TLS remote API is switched on. */
export function fleetWanted(flags: Flags): boolean {
  return flags.string('config_plugin') === 'tls' || loggerPlugins(flags).includes('tls') || !flags.bool('disable_distributed');
}

export class FleetAgent {
  readonly session: RemoteSession;
  readonly logger: TlsLogger | undefined;
  readonly config: TlsConfigSource | undefined;
  readonly distributed: DistributedQueries | undefined;
  private readonly client: TlsClient;

  constructor(private readonly deps: FleetAgentDeps) {
    const { flags, log, store } = deps;
    const fleetLog: FleetLog = {
      info: (m) => log.info(m, 'fleet'),
      warning: (m) => log.warning(m, 'fleet'),
      error: (m) => log.error(m, 'fleet'),
    };
    this.client = new TlsClient(remoteEndpointFromFlags(flags));
    this.client.onDump = (text) => log.info(text, 'tls');
    const state = store.kv('fleet');
    this.session = new RemoteSession({
      client: this.client,
      state,
      log: fleetLog,
      enrollEndpoint: flags.string('enroll_tls_endpoint'),
      secretPath: flags.string('enroll_secret_path'),
      secretEnv: flags.string('enroll_secret_env'),
      secretKeyName: flags.string('tls_enroll_override') || 'enroll_secret',
      secretAlways: flags.bool('tls_secret_always'),
      disableEnrollment: flags.bool('disable_enrollment'),
      disableReenrollment: flags.bool('disable_reenrollment'),
      enrollAlways: flags.bool('enroll_always'),
      enrollMaxAttempts: flags.number('tls_enroll_max_attempts'),
      enrollMaxIntervalSeconds: flags.number('tls_enroll_max_interval'),
      hostIdentifier: deps.hostIdentifier,
      hostDetails: () => this.hostDetails(),
    });
    if (loggerPlugins(flags).includes('tls') && !flags.bool('disable_logging')) {
      this.logger = new TlsLogger({
        session: this.session,
        outbox: store.kv(TLS_OUTBOX_STORE),
        state,
        log: fleetLog,
        endpoint: flags.string('logger_tls_endpoint'),
        periodSeconds: flags.number('logger_tls_period'),
        maxLines: flags.number('logger_tls_max_lines'),
        maxLineSize: flags.number('logger_tls_max_linesize'),
        compress: flags.bool('logger_tls_compress'),
        backoffMaxSeconds: flags.number('logger_tls_backoff_max'),
        statusLines: !flags.bool('tls_disable_status_log'),
        bufferedMax: flags.number('buffered_log_max'),
      });
      const logger = this.logger;
      // --tls_dump lines (source `tls`) are not sent: each log request's dump would make the next request.
      log.addTap((severity, source, text) => {
        if (source !== 'tls') logger.logStatus(this.statusLine(severity, source, text));
      });
    }
    if (flags.string('config_plugin') === 'tls') {
      this.config = new TlsConfigSource({
        session: this.session,
        log: fleetLog,
        endpoint: flags.string('config_tls_endpoint'),
        maxAttempts: flags.number('config_tls_max_attempts'),
        refreshSeconds: flags.number('config_refresh'),
        acceleratedRefreshSeconds: flags.number('config_accelerated_refresh'),
        apply: deps.applyConfig,
      });
    }
    if (!flags.bool('disable_distributed')) {
      this.distributed = new DistributedQueries({
        session: this.session,
        state,
        log: fleetLog,
        readEndpoint: flags.string('distributed_tls_read_endpoint'),
        writeEndpoint: flags.string('distributed_tls_write_endpoint'),
        intervalSeconds: flags.number('distributed_interval'),
        maxAttempts: flags.number('distributed_tls_max_attempts'),
        denylistSeconds: flags.number('distributed_denylist_duration'),
        logInfo: flags.bool('distributed_loginfo'),
        run: (sql) => this.runDistributed(sql),
      });
    }
  }

  /** osquery's status log object, as its tls logger sends it (log_type "status"). */
  private statusLine(severity: number, source: string, text: string): string {
    const now = Math.floor(Date.now() / 1000);
    return JSON.stringify({
      hostIdentifier: this.deps.hostIdentifier(),
      calendarTime: calendarTime(now),
      unixTime: String(now),
      severity: String(severity),
      filename: source,
      line: '0',
      message: text,
      version: quarryVersion(),
    });
  }

  private async rows(sql: string, consumer: string): Promise<{ rows: Record<string, string>[]; wallMs: number }> {
    const result = await this.deps.pool().run({ sql, consumer, peek: true, measure: true });
    result.discard();
    const rows = result.rows.map((row) => {
      const out: Record<string, string> = {};
      for (const [key, value] of Object.entries(row)) out[key] = value === null || value === undefined ? '' : String(value);
      return out;
    });
    return { rows, wallMs: result.usage.wallMs };
  }

  private async hostDetails(): Promise<Record<string, Record<string, string>>> {
    const details: Record<string, Record<string, string>> = {};
    for (const table of HOST_DETAIL_TABLES) {
      try {
        details[table] = (await this.rows(`select * from ${table}`, 'fleet'))?.rows[0] ?? {};
      } catch (error) {
        this.deps.log.warning(`Enrollment host_details: ${table} could not be read (${(error as Error).message}); sent empty`, 'fleet');
        details[table] = {};
      }
    }
    return details;
  }

  private async runDistributed(sql: string): Promise<{ rows: Record<string, string>[]; wallMs: number }> {
    try {
      return await this.rows(sql, 'distributed');
    } catch (error) {
      if (error instanceof QueryFailure) throw Object.assign(new Error(error.message), { kind: error.kind, code: error.code || 1 });
      throw error;
    }
  }

  /**
   * The tls logger's outbox as a row of osquery_events (name `tls_logger`): `events` counts the lines it received,
   * `refreshes` the requests the server accepted, `active` is 0 while sends fail; `status` says what waits and what
   * --buffered_log_max dropped.
   */
  eventStatus(): EventStatus[] {
    if (!this.logger) return [];
    const c = this.logger.stats();
    const failing = this.logger.failing();
    return [{
      name: 'tls_logger',
      publisher: 'logger',
      type: 'subscriber',
      subscriptions: 0,
      events: c.sentLines + c.buffered + c.dropped,
      refreshes: c.sentRequests,
      active: failing ? 0 : 1,
      status: `outbox: ${c.buffered} line(s) waiting, ${c.dropped} dropped by --buffered_log_max, ${c.sentLines} sent since start${failing ? '; sending fails (see the status log)' : ''}`,
    }];
  }

  /** The tls logger's and the distributed loop's numbers in /metrics (read at scrape time). */
  registerMetrics(registry: Registry): void {
    const gauge = (name: string, help: string, read: () => number | undefined) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const value = read();
          if (value !== undefined) this.set(value);
        },
      });
    const logger = this.logger;
    if (logger) {
      gauge('quarry_tls_logger_buffered_lines', 'Lines waiting in the tls logger outbox', () => logger.stats().buffered);
      gauge('quarry_tls_logger_dropped_lines_total', 'Lines --buffered_log_max dropped before they were sent', () => logger.stats().dropped);
      gauge('quarry_tls_logger_sent_lines_total', 'Lines the TLS server accepted since start', () => logger.stats().sentLines);
      gauge('quarry_tls_logger_failed_requests_total', 'Log requests that failed since start', () => logger.stats().failedRequests);
      gauge('quarry_tls_logger_oversized_lines_total', 'Lines longer than --logger_tls_max_linesize, not sent', () => logger.stats().oversizedLines);
    }
    const distributed = this.distributed;
    if (distributed) {
      gauge('quarry_distributed_queries_executed_total', 'Distributed queries run since start', () => distributed.counters.executed);
      gauge('quarry_distributed_queries_failed_total', 'Distributed queries that failed since start', () => distributed.counters.failed);
      gauge('quarry_distributed_queries_denied_total', 'Distributed queries answered as denylisted since start', () => distributed.counters.denied);
      gauge('quarry_distributed_failed_requests_total', 'Distributed read/write rounds that failed since start', () => distributed.counters.failedRequests);
    }
  }

  /** Starts the first config fetch (in the background: a server that is down must not hold quarryd's start), the loops. */
  start(): void {
    const config = this.config;
    if (config) void config.refresh().then((ok) => config.schedule(ok));
    this.logger?.start();
    this.distributed?.start();
  }

  async close(): Promise<void> {
    this.config?.close();
    this.session.close();
    await this.distributed?.close();
    await this.logger?.close();
    this.client.close();
  }
}
