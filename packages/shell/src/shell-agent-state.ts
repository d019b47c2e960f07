/**
 * The shell's answers for the osquery_* tables: its flags, its config (if one was loaded), no watcher, and the
 * scheduled queries and packs the config declares (the shell never runs them, so their counters stay 0).
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Flags } from '@quarry/config';
import type { AgentState, FlagRow, PackRow, RegistryRow, ScheduledQueryRow } from '@quarry/tables/osquery/agent-state';

/** The parts of a loaded osquery.conf the shell reports. */
export interface ShellConfigView {
  readonly valid: boolean;
  readonly hash: string;
  readonly schedule?: Record<string, { query?: string; interval?: number }>;
  readonly packs?: Record<string, { platform?: string; version?: string; shard?: number; queries?: Record<string, { query?: string; interval?: number }> }>;
}

function readHostUuid(): string {
  for (const path of ['/sys/class/dmi/id/product_uuid', '/etc/machine-id']) {
    try {
      const text = readFileSync(path, 'utf8').trim();
      if (/^[0-9a-f]{32}$/i.test(text)) {
        return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`.toUpperCase();
      }
      if (text !== '') return text.toUpperCase();
    } catch {
      // try the next source
    }
  }
  return '';
}

export class ShellAgentState implements AgentState {
  readonly startTime = Math.floor(Date.now() / 1000);
  readonly watcherPid = -1;
  private readonly instance = randomUUID();
  private hostId: string | undefined;

  constructor(
    private readonly flags: Flags,
    private readonly config: () => ShellConfigView | undefined,
    private readonly extraRegistry: () => RegistryRow[] = () => [],
  ) {}

  instanceId(): string {
    return this.instance;
  }

  hostUuid(): string {
    this.hostId ??= readHostUuid();
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

  schedule(): ScheduledQueryRow[] {
    const config = this.config();
    const rows: ScheduledQueryRow[] = [];
    for (const [name, query] of Object.entries(config?.schedule ?? {})) {
      rows.push({ name, query: query.query ?? '', interval: query.interval ?? 0 });
    }
    for (const [pack, body] of Object.entries(config?.packs ?? {})) {
      for (const [name, query] of Object.entries(body.queries ?? {})) {
        rows.push({ name: `pack_${pack}_${name}`, query: query.query ?? '', interval: query.interval ?? 0 });
      }
    }
    return rows;
  }

  packs(): PackRow[] {
    return Object.entries(this.config()?.packs ?? {}).map(([name, body]) => ({
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
    ];
  }
}
