/**
 * The yara_events subscriber: subscribes to the file publisher (inotify) with the file_paths categories that the
 * config's `yara.file_paths` names, scans each file CREATED, UPDATED or MOVED_TO with every signature group mapped to
 * its category, and stores a row only when some rule matched (osquery 5). Scanning is injected (a YaraFileScanner,
 * @quarry/tables' YaraScanPool: worker threads, compiled-rule cache), so this package does not load libyara.
 */
import type { EventRingApi } from '@quarry/buffers';
import {
  EventSubscriber,
  EventsConfigError,
  FILE_PUBLISHER_TYPE,
  fileSubscriptionsFromConfig,
  type EventRowValues,
  type EventsConfig,
  type FileEventContext,
  type FileSubscription,
} from '@quarry/events';
import type { TableDefinition } from '@quarry/sql';
import { YARA_EVENTS_COLUMNS, YARA_EVENTS_DESCRIPTION, yaraEventsTable } from './yara-events-table.js';

export interface YaraGroupRules {
  name: string;
  files: readonly string[];
}

export interface YaraFileScanResult {
  matches: string;
  count: number;
  strings: string;
  tags: string;
  /** Why the file was not scanned. */
  problem?: string;
}

/** What the subscriber needs from a scanner (YaraScanPool satisfies it). */
export interface YaraFileScanner {
  scanFile(pathBytes: string, groups: readonly YaraGroupRules[]): Promise<YaraFileScanResult>;
  /** Compile the groups now; '' when they compile, else the problem with file and line. */
  check(groups: readonly YaraGroupRules[]): Promise<string>;
  close(): Promise<void>;
}

export interface YaraEventsOptions {
  /** Absent: the subscriber fails at init with a message saying the daemon/shell wiring must pass one. */
  scanner?: YaraFileScanner;
}

const SCANNED_ACTIONS = new Set(['CREATED', 'UPDATED', 'MOVED_TO']);

export class YaraEventsSubscriber extends EventSubscriber<FileSubscription, FileEventContext, EventRingApi> {
  readonly name = 'yara_events';
  readonly publisherType = FILE_PUBLISHER_TYPE;
  readonly description = YARA_EVENTS_DESCRIPTION;
  readonly columns = YARA_EVENTS_COLUMNS;
  private groupsByCategory = new Map<string, YaraGroupRules[]>();
  /** Files scanned, matched, and not scanned (with the last reason), for osquery_events.status. */
  private scanned = 0;
  private matched = 0;
  private skipped = 0;
  private lastSkip = '';

  constructor(private readonly options: YaraEventsOptions = {}) {
    super();
  }

  override async init(): Promise<void> {
    if (!this.options.scanner) throw new Error('no YARA scanner was given to yara_events (wiring: new YaraEventsSubscriber({ scanner: new YaraScanPool(...) }))');
  }

  async configure(config: EventsConfig): Promise<FileSubscription[]> {
    const yara = (config['yara'] ?? {}) as Record<string, unknown>;
    const signatures = (yara['signatures'] ?? {}) as Record<string, unknown>;
    const yaraPaths = (yara['file_paths'] ?? {}) as Record<string, unknown>;
    const filePaths = (config['file_paths'] ?? {}) as Record<string, unknown>;
    const problems: string[] = [];
    const byCategory = new Map<string, YaraGroupRules[]>();
    for (const [category, list] of Object.entries(yaraPaths)) {
      if (!(category in filePaths)) {
        // osquery only logs this (VLOG "Key in YARA file_paths not found in file_paths").
        this.logger.warn({ subscriber: this.name, category }, 'yara.file_paths names a category that is not in file_paths');
        continue;
      }
      const groups: YaraGroupRules[] = [];
      for (const group of Array.isArray(list) ? list : [list]) {
        const files = signatures[String(group)];
        if (!Array.isArray(files)) {
          problems.push(`yara.file_paths.${category} names signature group "${String(group)}", which yara.signatures does not define`);
          continue;
        }
        groups.push({ name: String(group), files: files.map(String) });
      }
      if (groups.length > 0) byCategory.set(category, groups);
    }
    const allGroups = [...new Map([...byCategory.values()].flat().map((g) => [g.name, g])).values()];
    if (allGroups.length > 0 && this.options.scanner) {
      const problem = await this.options.scanner.check(allGroups);
      if (problem) problems.push(problem);
    }
    this.groupsByCategory = byCategory;
    let subscriptions: FileSubscription[];
    try {
      subscriptions = fileSubscriptionsFromConfig(config, new Set(byCategory.keys()));
    } catch (error) {
      throw new EventsConfigError((error as Error).message);
    }
    if (problems.length > 0) throw new EventsConfigError(problems.join('; '));
    return subscriptions;
  }

  /** Scan counters in words (part of the status text; tests and the bench read this). */
  scanSummary(): string {
    return `${this.scanned} files scanned, ${this.matched} matched, ${this.skipped} not scanned${this.lastSkip ? ` (last: ${this.lastSkip})` : ''}`;
  }

  protected override statusDetail(): string {
    return this.scanSummary();
  }

  table(ring: EventRingApi | undefined): TableDefinition {
    return yaraEventsTable(ring);
  }

  protected async toRows(ctx: FileEventContext): Promise<EventRowValues[]> {
    if (!SCANNED_ACTIONS.has(ctx.action) || ctx.isDirectory) return [];
    const groups = this.groupsByCategory.get(ctx.category);
    if (!groups || !this.options.scanner) return [];
    const result = await this.options.scanner.scanFile(ctx.pathBytes, groups);
    if (result.problem) {
      this.skipped++;
      this.lastSkip = `${ctx.path}: ${result.problem}`;
      this.logger.debug({ subscriber: this.name, path: ctx.path, problem: result.problem }, 'file not scanned');
      return [];
    }
    this.scanned++;
    // osquery 5 stores a row only when some rule matched.
    if (result.count === 0) return [];
    this.matched++;
    return [
      {
        target_path: ctx.path,
        category: ctx.category,
        action: ctx.action,
        matches: result.matches,
        count: result.count,
        strings: result.strings,
        tags: result.tags,
      },
    ];
  }
}
