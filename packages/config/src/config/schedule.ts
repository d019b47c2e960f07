import { createHash } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import type { Flags } from '../flags/flags.js';
import type { Pack, QuarryConfig, ScheduledQuery } from './types.js';

/** One query the scheduler should run, with osquery's name and every default resolved. */
export interface ScheduleEntry {
  /** `NAME` for the `schedule` key, `pack<delim><pack><delim><query>` for packs (pack_delimiter, default `_`). */
  name: string;
  /** `main` for the `schedule` key, else the pack name. */
  pack: string;
  query: string;
  interval: number;
  snapshot: boolean;
  removed: boolean;
  denylist: boolean;
  /** undefined = no run at start-up. */
  startupPriority?: number;
  /** The pack's discovery queries (the scheduler runs the pack only while each returns at least one row). */
  discovery: string[];
}

export interface HostFacts {
  /** Node's process.platform (default: this process). */
  platform?: NodeJS.Platform;
  /** Used for shard selection (default: os.hostname()). */
  hostname?: string;
  /** The osquery version Quarry is compatible with, for `version` checks (default: every version passes). */
  version?: string;
}

const PLATFORM_NAMES: Partial<Record<NodeJS.Platform, string>> = { linux: 'linux', darwin: 'darwin', win32: 'windows', freebsd: 'freebsd' };

/** osquery's `platform` test: empty/any/all → true; linux/ubuntu/centos on Linux; posix on POSIX; else a substring. */
export function platformMatches(platform: string | undefined, current: NodeJS.Platform = process.platform): boolean {
  if (platform === undefined || platform === '' || platform === 'null') return true;
  if (platform.includes('any') || platform.includes('all')) return true;
  if (current === 'linux' && /linux|ubuntu|centos/.test(platform)) return true;
  if (current !== 'win32' && platform.includes('posix')) return true;
  const name = PLATFORM_NAMES[current];
  return name !== undefined && platform.includes(name);
}

/** The host's shard (0..100): first byte of sha1(hostname) × 100 / 255, as osquery. */
export function machineShard(hostname: string = osHostname()): number {
  const first = createHash('sha1').update(hostname).digest()[0]!;
  return Math.floor((first * 100) / 255);
}

/** Compares dotted versions numerically: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
  const pb = b.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function applies(item: { platform?: string; version?: string; shard?: number }, host: Required<HostFacts>, shard: number): boolean {
  if (!platformMatches(item.platform, host.platform)) return false;
  if (item.version && host.version && compareVersions(host.version, item.version) < 0) return false;
  if (item.shard !== undefined && item.shard > 0 && item.shard < shard) return false;
  return true;
}

/**
 * Flattens `schedule` and `packs` into the queries this host runs: platform, version and shard filters applied
 * per pack and per query, intervals defaulted from --schedule_default_interval, pack query names built with
 * --pack_delimiter. Sorted by start-up priority, then name (osquery's order).
 */
export function scheduledQueries(config: Pick<QuarryConfig, 'schedule' | 'packs'>, flags: Flags, facts: HostFacts = {}): ScheduleEntry[] {
  const host: Required<HostFacts> = {
    platform: facts.platform ?? process.platform,
    hostname: facts.hostname ?? osHostname(),
    version: facts.version ?? '',
  };
  const shard = machineShard(host.hostname);
  const delimiter = flags.string('pack_delimiter');
  const defaultInterval = flags.number('schedule_default_interval');
  const entries: ScheduleEntry[] = [];
  const add = (name: string, pack: string, query: ScheduledQuery, discovery: string[]) => {
    if (!applies(query, host, shard)) return;
    entries.push({
      name,
      pack,
      query: query.query,
      interval: query.interval ?? defaultInterval,
      snapshot: query.snapshot,
      removed: query.removed,
      denylist: query.denylist,
      ...(query.startup_priority !== undefined ? { startupPriority: query.startup_priority } : {}),
      discovery,
    });
  };
  for (const [name, query] of Object.entries(config.schedule)) add(name, 'main', query, []);
  for (const pack of Object.values(config.packs) as Pack[]) {
    if (!applies(pack, host, shard)) continue;
    for (const [queryName, query] of Object.entries(pack.queries)) {
      add(`pack${delimiter}${pack.name}${delimiter}${queryName}`, pack.name, query, pack.discovery);
    }
  }
  const priority = (entry: ScheduleEntry) => entry.startupPriority ?? Number.MAX_SAFE_INTEGER;
  return entries.sort((a, b) => priority(a) - priority(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
