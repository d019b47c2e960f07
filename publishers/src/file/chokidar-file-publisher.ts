/**
 * The portable file publisher, on chokidar 5 (FSEvents on macOS, fs.watch elsewhere), used where raw inotify is
 * not available (not Linux). Same subscriptions, patterns and exclusions as the inotify publisher, fewer facts:
 * - CREATED / UPDATED / DELETED; ATTRIBUTES_MODIFIED when a `change` leaves size and mtime alone (stat compare);
 * - a rename is DELETED + CREATED with transaction_id 0 (chokidar exposes no rename cookie);
 * - file_accesses is refused with an error (chokidar cannot see opens);
 * - paths that are not valid UTF-8 cannot be watched (chokidar works on strings).
 */
import { watch, type FSWatcher } from 'chokidar';
import type { Stats } from 'node:fs';
import { EventPublisher, FILE_PUBLISHER_TYPE, type FileAction, type FileEventContext, type FileSubscription } from '@quarry/events';
import {
  ExcludeMatcher,
  displayPath,
  expandFilePattern,
  groupByCategory,
  specCoversDirectory,
  toBytes,
  type CoveringSpec,
} from './file-path-pattern.js';

interface Seen {
  size: number;
  mtimeMs: number;
}

export class ChokidarFilePublisher extends EventPublisher<FileSubscription, FileEventContext> {
  readonly type = FILE_PUBLISHER_TYPE;
  private watchers: FSWatcher[] = [];
  private specs: CoveringSpec[] = [];
  private excludes = new ExcludeMatcher([]);
  private readonly seen = new Map<string, Seen>();
  private running = false;

  constructor(private readonly options: { enabled?: boolean } = {}) {
    super();
  }

  override async setUp(): Promise<void> {
    if (this.options.enabled === false) throw new Error('Publisher disabled via configuration (--enable_file_events=false)');
  }

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.markEnding();
    await Promise.all(this.watchers.map((w) => w.close()));
    this.watchers = [];
    this.seen.clear();
  }

  override async configure(): Promise<void> {
    await Promise.all(this.watchers.map((w) => w.close()));
    this.watchers = [];
    this.seen.clear();
    const errors: string[] = [];
    const specs: CoveringSpec[] = [];
    const excludes = new Set<string>();
    for (const [subscriber, list] of this.subscriptions) {
      for (const sub of list) {
        if (sub.accesses) {
          errors.push(
            `category "${sub.category}" is listed in file_accesses, but this platform's file publisher (chokidar) cannot see file opens; remove it from file_accesses`,
          );
          continue;
        }
        for (const pattern of sub.excludes) excludes.add(pattern);
        try {
          for (const spec of expandFilePattern(sub.pattern).specs) specs.push({ subscriber, category: sub.category, accesses: false, spec });
        } catch (error) {
          errors.push(`category "${sub.category}": ${(error as Error).message}`);
        }
      }
    }
    this.excludes = new ExcludeMatcher([...excludes]);
    this.specs = specs;
    const ready: Promise<void>[] = [];
    for (const { spec } of specs) {
      const root = displayPath(spec.dir);
      const watcher = watch(root, {
        ...(spec.recursive ? {} : { depth: 0 }),
        followSymlinks: false,
        alwaysStat: true,
        ignoreInitial: false,
        atomic: false,
        ignored: (path: string) => path !== root && this.excludes.excludes(toBytes(path)),
      });
      let initial = true;
      ready.push(new Promise((resolve) => watcher.once('ready', () => {
        initial = false;
        resolve();
      })));
      watcher.on('all', (event, path, stats?: Stats) => {
        if (path === root) return;
        if (initial) {
          if (stats) this.seen.set(path, { size: stats.size, mtimeMs: stats.mtimeMs });
          return;
        }
        this.handle(event, path, stats);
      });
      watcher.on('error', (error) => this.setStatus(`watch error: ${(error as Error).message}`));
      this.watchers.push(watcher);
    }
    await Promise.all(ready);
    this.setStatus(`${specs.length} path(s) watched with chokidar`);
    if (errors.length > 0) {
      this.setStatus(errors.join('; '));
      throw new Error(errors.join('; '));
    }
  }

  private handle(event: string, path: string, stats: Stats | undefined): void {
    if (!this.running) return;
    let action: FileAction;
    if (event === 'add' || event === 'addDir') action = 'CREATED';
    else if (event === 'unlink' || event === 'unlinkDir') action = 'DELETED';
    else if (event === 'change') {
      const before = this.seen.get(path);
      action = before && stats && before.size === stats.size && before.mtimeMs === stats.mtimeMs ? 'ATTRIBUTES_MODIFIED' : 'UPDATED';
    } else return;
    if (action === 'DELETED') this.seen.delete(path);
    else if (stats) this.seen.set(path, { size: stats.size, mtimeMs: stats.mtimeMs });
    const bytes = toBytes(path);
    const slash = bytes.lastIndexOf('/');
    const dir = slash <= 0 ? '/' : bytes.slice(0, slash);
    const name = bytes.slice(slash + 1);
    const covering = this.specs.filter(({ spec }) => specCoversDirectory(spec, dir));
    for (const [category, { subscribers }] of groupByCategory(covering, name)) {
      this.fire(
        { path, pathBytes: bytes, action, category, transactionId: 0, isDirectory: event.endsWith('Dir') || !!stats?.isDirectory(), accessCategory: false },
        subscribers,
      );
    }
  }
}
