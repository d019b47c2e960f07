/**
 * prometheus_metrics: every URL of the config's `prometheus_targets.urls` scraped at query time (all at once, each
 * bounded by `prometheus_targets.timeout` seconds), one row per sample of the text exposition format. target_name is
 * the URL, metric_name the series as written (name plus label block), timestamp_ms the sample's own timestamp or
 * else the time the scrape was answered. An unreachable or failing target gives a warning and no rows.
 */
import type { ColumnDefinition, QueryContext, Row, TableDefinition } from '@quarry/sql';
import { parseExposition } from './exposition-format.js';
import { prometheusTargetsOf } from './remote-config.js';
import { runRemoteJobsSync, type HttpGetJob } from './sync-http.js';

/** Most bytes read from one target (node_exporter answers with ~100-300 KiB). */
export const MAX_SCRAPE_BYTES = 32 * 1024 * 1024;

export const PROMETHEUS_METRICS_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'target_name', type: 'TEXT', description: 'Address of prometheus target' },
  { name: 'metric_name', type: 'TEXT', description: 'Name of collected Prometheus metric' },
  { name: 'metric_value', type: 'DOUBLE', description: 'Value of collected Prometheus metric' },
  { name: 'timestamp_ms', type: 'BIGINT', description: 'Unix timestamp of collected data in MS' },
];

export interface PrometheusMetricsDeps {
  readonly config?: () => unknown;
}

function scrapeJob(url: string, timeoutMs: number): HttpGetJob {
  return {
    kind: 'http-get',
    url,
    timeoutMs,
    maxBytes: MAX_SCRAPE_BYTES,
    overflow: 'fail',
    // The text format, not protobuf or OpenMetrics; no compression.
    headers: { accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1', 'accept-encoding': 'identity', 'user-agent': 'osquery' },
  };
}

function* scrape(deps: PrometheusMetricsDeps, context: QueryContext): Generator<Row> {
  const targets = prometheusTargetsOf(deps.config?.());
  for (const problem of targets.problems) context.session.warn(`prometheus_metrics: ${problem}`);
  if (targets.urls.length === 0) {
    context.session.warn('prometheus_metrics: no targets configured; add "prometheus_targets": {"urls": ["http://127.0.0.1:9100/metrics"], "timeout": 1} to the config');
    return;
  }
  const timeoutMs = Math.round(targets.timeoutSeconds * 1000);
  const results = runRemoteJobsSync(targets.urls.map((url) => scrapeJob(url, timeoutMs)));
  for (let index = 0; index < targets.urls.length; index++) {
    const url = targets.urls[index]!;
    const result = results[index]!;
    if (!result.ok) {
      context.session.warn(`prometheus_metrics: target ${url} was not scraped: ${result.error}`);
      continue;
    }
    if (result.status !== 200) {
      context.session.warn(`prometheus_metrics: target ${url} answered HTTP status ${result.status} (expected 200); no metrics from it`);
      continue;
    }
    const { samples, malformed } = parseExposition(Buffer.from(result.body).toString('utf8'));
    if (malformed.length > 0) {
      const first = malformed[0]!;
      context.session.warn(
        `prometheus_metrics: target ${url}: ${malformed.length} malformed line${malformed.length === 1 ? '' : 's'} skipped (first: line ${first.lineNumber}: ${first.reason})`,
      );
    }
    for (const sample of samples) {
      yield {
        target_name: url,
        metric_name: sample.series,
        // SQLite stores NaN as NULL; infinities are kept.
        metric_value: sample.value,
        timestamp_ms: sample.timestampMs ?? result.receivedAtMs,
      };
    }
  }
}

export function prometheusMetricsTable(deps: PrometheusMetricsDeps): TableDefinition {
  return {
    name: 'prometheus_metrics',
    description: 'Retrieve metrics from a Prometheus server.',
    columns: PROMETHEUS_METRICS_COLUMNS,
    generate: (context) => scrape(deps, context),
  };
}
