/** One query of `schedule` or of a pack, normalized (numbers and booleans given as strings are converted). */
export interface ScheduledQuery {
  query: string;
  /** Seconds as configured; undefined → --schedule_default_interval. Validity (1..604800) is checked when the config is read (sections.ts). */
  interval?: number;
  snapshot: boolean;
  removed: boolean;
  denylist: boolean;
  platform?: string;
  version?: string;
  shard?: number;
  /** Lower runs earlier at start-up; undefined = no start-up run (osquery's UINT64_MAX). */
  startup_priority?: number;
  description?: string;
}

export interface Pack {
  name: string;
  /** The config file that declared the pack, or the pack file it was read from. */
  source: string;
  platform?: string;
  version?: string;
  shard?: number;
  oncall?: string;
  discovery: string[];
  queries: Record<string, ScheduledQuery>;
}

export interface YaraConfig {
  /** Signature group → rule files (relative paths resolved against `<config dir>/yara/`, osquery's OSQUERY_HOME/yara/). */
  signatures: Record<string, string[]>;
  /** file_paths category → signature groups. */
  file_paths: Record<string, string[]>;
  signature_urls: string[];
}

export interface DecoratorsConfig {
  load: string[];
  always: string[];
  /** Interval in seconds (a multiple of 60, as a decimal string key) → queries. */
  interval: Record<string, string[]>;
}

export interface PrometheusTargets {
  urls: string[];
  /** Seconds, default 1. */
  timeout: number;
}

export interface AutoTableConstruction {
  query: string;
  path: string;
  columns: string[];
  platform?: string;
}

export interface EventsConfig {
  enable_subscribers: string[];
  disable_subscribers: string[];
}

export interface ConfigSource {
  /** The file path (osquery's source name for the filesystem plugin). */
  path: string;
  /** SHA1 hex of the file's raw content. */
  hash: string;
  /** The text after comment removal and line joining (what --config_dump prints). */
  content: string;
}

export interface QuarryConfig {
  /** Merged `options` of every source, later sources winning. Apply with applyConfigOptions(). */
  options: Record<string, unknown>;
  /** The `schedule` key (osquery's pack `main`), merged over sources. */
  schedule: Record<string, ScheduledQuery>;
  packs: Record<string, Pack>;
  file_paths: Record<string, string[]>;
  file_paths_query: Record<string, string[]>;
  exclude_paths: Record<string, string[]>;
  file_accesses: string[];
  yara: YaraConfig;
  events: EventsConfig;
  decorators: DecoratorsConfig;
  prometheus_targets: PrometheusTargets;
  auto_table_construction: Record<string, AutoTableConstruction>;
  views: Record<string, string>;
  /** Sources in the order they were applied: `<config_path>.d/*.conf` (lexical), then config_path. */
  sources: ConfigSource[];
  /** Pack files the sources name, in the order read (--config_dump prints them after the sources). */
  packSources: ConfigSource[];
  /** osquery_info.config_hash: SHA1 of the concatenated per-source SHA1s, in source-name order. */
  hash: string;
  /** Non-fatal problems osquery also only warns about (skipped decorators, misconfigured ATC tables, ...). */
  warnings: string[];
  /** Pack files that could not be read or parsed: left out (with a warning naming each), the rest applies. */
  skippedPacks: SkippedPack[];
}

export interface SkippedPack {
  /** The pack's name (its key in `packs`, or the file's stem for a `"*"` glob). */
  name: string;
  file: string;
  /** The ConfigError's message: file[:line:column]: reason. */
  reason: string;
}

export function emptyConfig(): QuarryConfig {
  return {
    options: {},
    schedule: {},
    packs: {},
    file_paths: {},
    file_paths_query: {},
    exclude_paths: {},
    file_accesses: [],
    packSources: [],
    yara: { signatures: {}, file_paths: {}, signature_urls: [] },
    events: { enable_subscribers: [], disable_subscribers: [] },
    decorators: { load: [], always: [], interval: {} },
    prometheus_targets: { urls: [], timeout: 1 },
    auto_table_construction: {},
    views: {},
    sources: [],
    hash: '',
    warnings: [],
    skippedPacks: [],
  };
}
