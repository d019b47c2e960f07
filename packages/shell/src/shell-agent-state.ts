/**
 * The shell's answers for the osquery_* tables: its flags, its config (if one was loaded), no watcher, and the
 * scheduled queries and packs the config declares (the shell never runs them, so their counters stay 0).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Flags, QuarryConfig } from '@quarry/config';
import { scheduledQueries } from '@quarry/config/config/schedule';
import type { AgentState, ExtensionRow, FlagRow, PackRow, RegistryRow, ScheduledQueryRow } from '@quarry/tables/osquery/agent-state';
import { agentVersion } from '@quarry/tables/osquery/version';
import { hostUuid } from '@quarry/tables/system/host-uuid';

/** The shell's config state: a loaded osquery.conf, or a default one that failed to load (valid false, hash ''). */
export interface ShellConfigView {
  readonly valid: boolean;
  readonly hash: string;
  readonly config?: QuarryConfig;
}

export class ShellAgentState implements AgentState {
  readonly startTime = Math.floor(Date.now() / 1000);
  readonly watcherPid = -1;
  private readonly instance = randomUUID();
  private hostId: string | undefined;
  /** The shell's extension manager, when it runs (shell-extensions.ts). */
  extensionsState: { extensions: ExtensionRow[]; registry: RegistryRow[]; socket: string } | undefined;

  constructor(
    private readonly flags: Flags,
    private readonly config: () => ShellConfigView | undefined,
    private readonly extraRegistry: () => RegistryRow[] = () => [],
  ) {}

  instanceId(): string {
    return this.instance;
  }

  hostUuid(): string {
    this.hostId ??= hostUuid();
    return this.hostId;
  }

  flagRows(): FlagRow[] {
    return this.flags.rows();
  }

  configHash(): string {
    return this.config()?.hash ?? createHash('sha1').update('').digest('hex');
  }

  configValid(): boolean {
    return this.config()?.valid ?? false;
  }

  /** What quarryd would schedule from this config (--pack_delimiter, platform/version/shard filters, default interval). */
  schedule(): ScheduledQueryRow[] {
    const config = this.config()?.config;
    if (!config) return [];
    return scheduledQueries(config, this.flags, { version: agentVersion() }).map((entry) => ({
      name: entry.name,
      query: entry.query,
      interval: entry.interval,
    }));
  }

  packs(): PackRow[] {
    return Object.entries(this.config()?.config?.packs ?? {}).map(([name, body]) => ({
      name,
      platform: body.platform ?? '',
      version: body.version ?? '',
      shard: body.shard ?? 0,
      discovery_cache_hits: 0,
      discovery_executions: 0,
      active: 1,
    }));
  }

  registry(): RegistryRow[] {
    return [
      { registry: 'config', name: 'filesystem', owner_uuid: 0, internal: 0, active: 1 },
      { registry: 'logger', name: 'filesystem', owner_uuid: 0, internal: 0, active: 0 },
      ...this.extraRegistry(),
      ...(this.extensionsState?.registry ?? []),
    ];
  }

  extensions(): ExtensionRow[] {
    return this.extensionsState?.extensions ?? [];
  }

  extensionsSocket(): string {
    return this.extensionsState?.socket ?? '';
  }
}
