/**
 * What the osquery_* tables read about the running agent. The shell and the daemon each build one; the tables
 * never reach into their internals.
 */
export type FlagRow = {
  name: string;
  type: string;
  description: string;
  default_value: string;
  value: string;
  shell_only: number;
};

export type ScheduledQueryRow = {
  name: string;
  query: string;
  interval: number;
  executions?: number;
  last_executed?: number;
  denylisted?: number;
  output_size?: number;
  wall_time?: number;
  wall_time_ms?: number;
  last_wall_time_ms?: number;
  user_time?: number;
  last_user_time?: number;
  system_time?: number;
  last_system_time?: number;
  average_memory?: number;
  last_memory?: number;
};

export type PackRow = {
  name: string;
  platform: string;
  version: string;
  shard: number;
  discovery_cache_hits: number;
  discovery_executions: number;
  active: number;
};

export type RegistryRow = {
  registry: string;
  name: string;
  owner_uuid: number;
  internal: number;
  active: number;
};

/** One registered extension, as osquery_extensions lists it. */
export type ExtensionRow = {
  uuid: number;
  name: string;
  version: string;
  sdk_version: string;
  path: string;
  type: string;
};

export interface AgentState {
  /** Unix seconds the process started. */
  readonly startTime: number;
  /** Persistent random UUID of this database (osquery's instance_id). */
  instanceId(): string;
  /** The host UUID shared with system_info.uuid. */
  hostUuid(): string;
  /** pid of a watcher process, -1 when there is none. */
  readonly watcherPid: number;
  flagRows(): FlagRow[];
  configHash(): string;
  configValid(): boolean;
  schedule(): ScheduledQueryRow[];
  packs(): PackRow[];
  /** Plugins beyond the tables: event publishers and subscribers, loggers, config. */
  registry(): RegistryRow[];
  /** Extensions registered with the extension manager (none when it is not running). */
  extensions?(): ExtensionRow[];
  /** The manager's socket (osquery_extensions' core path), '' when the manager is not running. */
  extensionsSocket?(): string;
}
