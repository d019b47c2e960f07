/**
 * Prometheus metrics (prom-client, own registry): events per publisher/subscriber (osquery_events), buffer rows,
 * consumer lag, expiry and drops per ring, scheduled query runs and durations, HTTP requests, pool state, SSE,
 * audit loss and backlog. Gauges are filled at scrape time from the objects that own the numbers; the ring stats and
 * the event status are read once per scrape (a snapshot shared by every gauge of that scrape).
 * Consumer names never become labels (clients choose them): lag is reported per subscriber (worst consumer).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventStatus } from '@quarry/events';
import type { RingStats } from '@quarry/buffers';

export interface MetricSources {
  eventStatus(): EventStatus[];
  ringStats(): RingStats[];
  pool(): { size: number; busy: number; queued: number; timeouts: number; memoryStops: number; cpuStops: number; respawns: number; refused: number; recycles: number };
  streams(): { clients: number; delivered: number };
  /** The audit publisher's numbers, or undefined when it is not registered. */
  audit?(): AuditMetricValues | undefined;
  /** The config's state: osquery_info.config_valid, when it was last loaded (Unix s, 0: never), pack files skipped. */
  config?(): { valid: boolean; loadedAt: number; skippedPacks: number };
}

export interface AuditMetricValues {
  /** Kernel records lost since the publisher started (kernel `lost` delta, plus multicast serial gaps). */
  lost: number;
  /** The kernel's audit queue length at the last status check. */
  backlog: number;
  /** Records or datagrams Quarry could not parse. */
  malformed: number;
  /** SYSCALL records Quarry dropped (missing fields, own pid, failed syscalls not asked for). */
  dropped: number;
  /** Receive-buffer overruns (ENOBUFS). */
  overruns: number;
}

/** Runs `read` at most once per scrape: the first gauge collected in a scrape reads, the others reuse it. */
function perScrape<T>(read: () => T): () => T {
  let value: T | undefined;
  let pending = false;
  return () => {
    if (!pending) {
      value = read();
      pending = true;
      queueMicrotask(() => {
        pending = false;
        value = undefined;
      });
    }
    return value as T;
  };
}

export class DaemonMetrics {
  readonly registry = new Registry();
  readonly scheduledRuns: Counter<'query' | 'outcome'>;
  readonly scheduledDuration: Histogram<'query'>;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly httpDuration: Histogram<'route'>;
  readonly queries: Counter<'source' | 'outcome'>;

  constructor(input: MetricSources) {
    const r = this.registry;
    const sources: MetricSources = {
      ...input,
      eventStatus: perScrape(() => input.eventStatus()),
      ringStats: perScrape(() => input.ringStats()),
      pool: perScrape(() => input.pool()),
    };
    // Node's process metrics under the one prefix: quarry_process_cpu_user_seconds_total, quarry_nodejs_heap_size_used_bytes, …
    collectDefaultMetrics({ register: r, prefix: 'quarry_' });
    this.scheduledRuns = new Counter({ name: 'quarry_scheduled_query_runs_total', help: 'Scheduled query executions by outcome', labelNames: ['query', 'outcome'], registers: [r] });
    this.scheduledDuration = new Histogram({ name: 'quarry_scheduled_query_duration_seconds', help: 'Wall time of scheduled query runs', labelNames: ['query'], buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers: [r] });
    this.httpRequests = new Counter({ name: 'quarry_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers: [r] });
    this.httpDuration = new Histogram({ name: 'quarry_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['route'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [r] });
    this.queries = new Counter({ name: 'quarry_queries_total', help: 'SQL queries run by source (http, scheduler) and outcome', labelNames: ['source', 'outcome'], registers: [r] });
    new Gauge({
      name: 'quarry_events_total',
      help: 'Events seen by each publisher and stored by each subscriber (osquery_events.events)',
      labelNames: ['name', 'type', 'publisher'],
      registers: [r],
      collect() {
        this.reset();
        for (const s of sources.eventStatus()) this.set({ name: s.name, type: s.type, publisher: s.publisher }, Number(s.events) || 0);
      },
    });
    new Gauge({
      name: 'quarry_event_component_active',
      help: 'osquery_events.active: 1 running, 0 not, -1 missing',
      labelNames: ['name', 'type'],
      registers: [r],
      collect() {
        this.reset();
        for (const s of sources.eventStatus()) this.set({ name: s.name, type: s.type }, Number(s.active) || 0);
      },
    });
    const ringGauge = (name: string, help: string, pick: (s: RingStats) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['subscriber'],
        registers: [r],
        collect() {
          this.reset();
          for (const s of sources.ringStats()) this.set({ subscriber: s.subscriber }, pick(s));
        },
      });
    ringGauge('quarry_buffer_rows', 'Rows held in the event buffer', (s) => s.rows);
    ringGauge('quarry_buffer_appended_total', 'Rows stored since start', (s) => s.appended);
    ringGauge('quarry_buffer_expired_total', 'Rows removed by --events_expiry since start', (s) => s.expired);
    new Gauge({
      name: 'quarry_buffer_dropped_total',
      help: 'Rows dropped since start, by reason: events_max (oldest rows pushed out by --events_max), disk_full, read_only, storage_error (appends that could not be stored)',
      labelNames: ['subscriber', 'reason'],
      registers: [r],
      collect() {
        this.reset();
        for (const s of sources.ringStats()) {
          for (const [reason, count] of Object.entries(s.droppedBy ?? { events_max: s.dropped })) this.set({ subscriber: s.subscriber, reason }, count);
        }
      },
    });
    ringGauge('quarry_buffer_consumer_lag', 'Rows stored after the cursor of the ring\'s most lagging consumer', (s) =>
      s.consumers.reduce((max, c) => Math.max(max, c.lag), 0),
    );
    ringGauge('quarry_buffer_consumers', 'Consumers (cursors) the ring keeps', (s) => s.consumers.length);
    const poolGauge = (name: string, help: string, pick: (p: ReturnType<MetricSources['pool']>) => number) =>
      new Gauge({
        name,
        help,
        registers: [r],
        collect() {
          this.set(pick(sources.pool()));
        },
      });
    poolGauge('quarry_query_workers', 'Query worker threads', (p) => p.size);
    poolGauge('quarry_query_workers_busy', 'Query workers running a query', (p) => p.busy);
    poolGauge('quarry_query_queue', 'Queries waiting for a worker', (p) => p.queued);
    poolGauge('quarry_watchdog_timeouts_total', 'Queries stopped at their deadline', (p) => p.timeouts);
    poolGauge('quarry_watchdog_memory_stops_total', 'Queries stopped over the memory limit', (p) => p.memoryStops);
    poolGauge('quarry_watchdog_cpu_stops_total', 'Queries stopped over the CPU utilization limit', (p) => p.cpuStops);
    poolGauge('quarry_query_refused_total', 'Queries refused because the queue was full', (p) => p.refused);
    poolGauge('quarry_watchdog_worker_replacements_total', 'Idle query workers replaced because they held more than 2 x --watchdog_memory_limit', (p) => p.recycles);
    new Gauge({
      name: 'quarry_http_stream_clients',
      help: 'Open SSE streams',
      registers: [r],
      collect() {
        this.set(sources.streams().clients);
      },
    });
    new Gauge({
      name: 'quarry_http_stream_rows_total',
      help: 'Rows sent on SSE streams',
      registers: [r],
      collect() {
        this.set(sources.streams().delivered);
      },
    });
    if (sources.config) {
      const config = sources.config;
      const configGauge = (name: string, help: string, pick: (c: ReturnType<typeof config>) => number) =>
        new Gauge({
          name,
          help,
          registers: [r],
          collect() {
            this.set(pick(config()));
          },
        });
      configGauge('quarry_config_valid', 'osquery_info.config_valid: 1 when the config was loaded and applied, 0 when it could not be (the last good one, if any, stays)', (c) => (c.valid ? 1 : 0));
      configGauge('quarry_config_last_load_success_timestamp_seconds', 'When a config was last loaded and applied (Unix seconds; 0: never)', (c) => c.loadedAt);
      configGauge('quarry_config_packs_skipped', 'Pack files of the current config that could not be read or parsed and were left out', (c) => c.skippedPacks);
    }
    if (sources.audit) {
      const audit = perScrape(sources.audit);
      const auditGauge = (name: string, help: string, pick: (a: AuditMetricValues) => number) =>
        new Gauge({
          name,
          help,
          registers: [r],
          collect() {
            const a = audit();
            if (a) this.set(pick(a));
          },
        });
      auditGauge('quarry_audit_lost', 'Kernel audit records lost since the audit publisher started (kernel lost counter delta + multicast serial gaps)', (a) => a.lost);
      auditGauge('quarry_audit_backlog', 'Kernel audit queue length at the last status check', (a) => a.backlog);
      auditGauge('quarry_audit_malformed_total', 'Audit records and netlink datagrams Quarry could not parse', (a) => a.malformed);
      auditGauge('quarry_audit_dropped_total', 'Audit SYSCALL records Quarry dropped (missing fields, own pid, unwanted failures)', (a) => a.dropped);
      auditGauge('quarry_audit_overruns_total', 'Audit socket receive-buffer overruns (ENOBUFS)', (a) => a.overruns);
    }
  }
}
