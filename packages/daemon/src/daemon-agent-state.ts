/**
 * quarryd's AgentState (osquery_info, osquery_flags, osquery_schedule, osquery_packs, osquery_registry). The
 * query workers see it as a versioned snapshot (pool/protocol.ts AgentSnapshot) taken here.
 */
import type { Flags } from '@quarry/config';
import { hostUuid, type AgentState, type ExtensionRow, type PackRow, type RegistryRow, type ScheduledQueryRow } from '@quarry/tables';
import type { AgentSnapshot } from './pool/protocol.js';
import { isWorkerProcess } from './watcher/worker-role.js';

export interface DaemonAgentSources {
  flags: Flags;
  instanceId: string;
  configHash: () => string;
  configValid: () => boolean;
  schedule: () => ScheduledQueryRow[];
  packs: () => PackRow[];
  registry: () => RegistryRow[];
  /** Registered extensions and the manager's socket (osquery_extensions). */
  extensions?: () => ExtensionRow[];
  extensionsSocket?: () => string;
}

export class DaemonAgentState implements AgentState {
  readonly startTime = Math.floor(Date.now() / 1000);
  /** osquery_info.watcher: the watcher's pid in a worker, -1 in a single process (--disable_watchdog). */
  readonly watcherPid = isWorkerProcess() ? process.ppid : -1;
  private hostId: string | undefined;
  private version = 0;
  private cachedFlags: AgentSnapshot['flagRows'] | undefined;

  constructor(private readonly sources: DaemonAgentSources) {}

  instanceId(): string {
    return this.sources.instanceId;
  }
  hostUuid(): string {
    this.hostId ??= hostUuid();
    return this.hostId;
  }
  flagRows() {
    this.cachedFlags ??= this.sources.flags.rows();
    return this.cachedFlags;
  }
  configHash(): string {
    return this.sources.configHash();
  }
  configValid(): boolean {
    return this.sources.configValid();
  }
  schedule(): ScheduledQueryRow[] {
    return this.sources.schedule();
  }
  packs(): PackRow[] {
    return this.sources.packs();
  }
  registry(): RegistryRow[] {
    return this.sources.registry();
  }

  /** Call when flags or config changed (flags are cached between changes). */
  invalidate(): void {
    this.cachedFlags = undefined;
  }

  snapshot(): AgentSnapshot {
    return {
      version: ++this.version,
      startTime: this.startTime,
      instanceId: this.instanceId(),
      hostUuid: this.hostUuid(),
      watcherPid: this.watcherPid,
      flagRows: this.flagRows(),
      configHash: this.configHash(),
      configValid: this.configValid(),
      schedule: this.schedule(),
      packs: this.packs(),
      registry: this.registry(),
      extensions: this.sources.extensions?.() ?? [],
      extensionsSocket: this.sources.extensionsSocket?.() ?? '',
    };
  }
}
