/** The config key `prometheus_targets` (QuarryConfig or a plain osquery.conf object) read at each query. */

export interface PrometheusTargets {
  readonly urls: readonly string[];
  /** Seconds for each scrape (osquery's default 1). */
  readonly timeoutSeconds: number;
  /** Entries of the key that were ignored, for the user's warning. */
  readonly problems: readonly string[];
}

export const DEFAULT_PROMETHEUS_TIMEOUT_SECONDS = 1;

export function prometheusTargetsOf(config: unknown): PrometheusTargets {
  const problems: string[] = [];
  const section = config && typeof config === 'object' ? (config as Record<string, unknown>)['prometheus_targets'] : undefined;
  if (section === undefined || section === null) return { urls: [], timeoutSeconds: DEFAULT_PROMETHEUS_TIMEOUT_SECONDS, problems };
  if (typeof section !== 'object' || Array.isArray(section)) {
    return { urls: [], timeoutSeconds: DEFAULT_PROMETHEUS_TIMEOUT_SECONDS, problems: ['prometheus_targets must be an object such as {"urls": ["http://127.0.0.1:9100/metrics"], "timeout": 1}'] };
  }
  const { urls, timeout } = section as Record<string, unknown>;
  const list: string[] = [];
  if (urls !== undefined) {
    if (!Array.isArray(urls)) problems.push('prometheus_targets.urls must be an array of URL strings');
    else {
      for (const url of urls) {
        if (typeof url === 'string' && url.trim() !== '') list.push(url.trim());
        else problems.push(`prometheus_targets.urls has an entry that is not a URL string: ${JSON.stringify(url)}`);
      }
    }
  }
  let timeoutSeconds = DEFAULT_PROMETHEUS_TIMEOUT_SECONDS;
  if (timeout !== undefined) {
    const number = typeof timeout === 'string' && /^\d+$/.test(timeout.trim()) ? Number(timeout) : timeout;
    if (typeof number === 'number' && Number.isFinite(number) && number > 0) timeoutSeconds = number;
    else problems.push(`prometheus_targets.timeout must be a positive number of seconds, not ${JSON.stringify(timeout)}; using ${DEFAULT_PROMETHEUS_TIMEOUT_SECONDS}`);
  }
  return { urls: list, timeoutSeconds, problems };
}
