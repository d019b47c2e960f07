/**
 * Tables that reach over the network at query time: prometheus_metrics (the config's prometheus_targets), curl and
 * curl_certificate. Network calls run on a worker thread (sync-http.ts) and are always bounded by a timeout.
 */
import type { TableDefinition } from '@quarry/sql';
import { curlTable, type CurlDeps } from './curl.js';
import { curlCertificateTable } from './curl_certificate.js';
import { prometheusMetricsTable } from './prometheus_metrics.js';

export { curlTable, CURL_COLUMNS, MAX_CURL_BODY_BYTES, DEFAULT_CURL_TIMEOUT_SECONDS } from './curl.js';
export { curlCertificateTable, CURL_CERTIFICATE_COLUMNS, DEFAULT_CERTIFICATE_TIMEOUT_SECONDS, splitHostname } from './curl_certificate.js';
export { certificateColumns } from './certificate-fields.js';
export { prometheusMetricsTable, PROMETHEUS_METRICS_COLUMNS, MAX_SCRAPE_BYTES } from './prometheus_metrics.js';
export { parseExposition, parseSampleLine, parseSampleValue, type Sample, type MalformedLine } from './exposition-format.js';
export { prometheusTargetsOf, type PrometheusTargets } from './remote-config.js';
export { runRemoteJobsSync, httpGetSync, type HttpGetJob, type TlsCertificateJob, type HttpGetResult, type TlsCertificateResult } from './sync-http.js';

export interface RemoteTableDeps {
  /** The current parsed config (QuarryConfig or a plain osquery.conf object); read at every prometheus_metrics query. */
  readonly config?: () => unknown;
  /** curl's per-request bound in seconds (default 10). */
  readonly curlTimeoutSeconds?: number;
}

export function remoteTables(deps: RemoteTableDeps = {}): TableDefinition[] {
  const curl: CurlDeps = deps.curlTimeoutSeconds === undefined ? {} : { timeoutSeconds: deps.curlTimeoutSeconds };
  return [prometheusMetricsTable({ ...(deps.config ? { config: deps.config } : {}) }), curlTable(curl), curlCertificateTable()];
}
