/**
 * The file publisher (type `inotify`, as osquery's): raw Linux inotify read on a worker thread (see
 * inotify-binding.ts for why not chokidar). Subscribers hand it `file_paths`-style subscriptions; it watches the
 * directories they cover and fires one FileEventContext per change, per category.
 *
 * Actions and coalescing (per path, within `coalesceMs`):
 * - CREATE → CREATED; a write or chmod that follows before the file is closed is part of the creation.
 * - MODIFY → UPDATED, reported once at CLOSE_WRITE (or after `coalesceMs` for writers that keep the file open):
 *   one UPDATED per write, not osquery's two (MODIFY + CLOSE_WRITE, #3920).
 * - ATTRIB with no content change pending → ATTRIBUTES_MODIFIED (dropped if the file is deleted right after, as
 *   unlink itself changes the link count).
 * - DELETE → DELETED; MOVED_FROM / MOVED_TO carry the kernel's rename cookie as transaction_id (shared by the pair).
 * - OPEN / ACCESS → OPENED / ACCESSED, only for subscriptions with `accesses` (osquery's file_accesses).
 * Directories: a directory created under a `%%` path is watched at once and scanned, and files already in it are
 * reported as CREATED (a file written right after mkdir is not missed); a directory moved in is watched too (FIX #1969).
 * Problems (watch limit, unreadable directories, queue overflow, missing paths, directory aliases) go to the log
 * and to the status text shown in osquery_events; they never stop the other paths.
 */
import { readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { EventPublisher, FILE_PUBLISHER_TYPE, type FileAction, type FileEventContext, type FileSubscription } from '@quarry/events';
import {
  ACCESS_MASK,
  CHANGE_MASK,
  EACCES,
  ENOENT,
  ENOSPC,
  ENOTDIR,
  IN_ACCESS,
  IN_ATTRIB,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_DELETE,
  IN_DELETE_SELF,
  IN_IGNORED,
  IN_ISDIR,
  IN_MODIFY,
  IN_MOVE_SELF,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_OPEN,
  IN_Q_OVERFLOW,
  IN_UNMOUNT,
  InotifyError,
  InotifyInstance,
  WATCH_FLAGS,
  inotifyLimit,
  parseInotifyEvents,
  type RawInotifyEvent,
} from './inotify-binding.js';
import {
  ExcludeMatcher,
  bytesBuffer,
  displayPath,
  expandFilePattern,
  groupByCategory,
  joinPath,
  specCoversDirectory,
  type ByteString,
  type CoveringSpec,
} from './file-path-pattern.js';

export type { FileAction, FileEventContext, FileSubscription };

export interface FilePublisherOptions {
  /** False: setUp fails with "Publisher disabled via configuration" (osquery's --enable_file_events=false). */
  enabled?: boolean;
  /** Window in which events on one path are merged into one action. */
  coalesceMs?: number;
  /** Worker poll timeout (ms): how long stop() may wait. */
  pollMs?: number;
  /**
   * Batches the reader thread may hand over before the main thread has handled them (default 64, each up to
   * ~512 KiB). Beyond it the reader stops reading and the kernel queue does the bounding (IN_Q_OVERFLOW when full).
   */
  maxPendingBatches?: number;
}

/** Reader-side counters (see inotify-reader-worker.ts). */
export interface FilePublisherCounters {
  /** Batches of raw events the reader handed to the main thread. */
  batches: number;
  /** Times the reader stopped reading because `maxPendingBatches` were waiting for the main thread. */
  readerPauses: number;
  /** IN_Q_OVERFLOW events: the kernel queue was full and events were lost. */
  overflows: number;
}

/** A new tree is walked at most this many directories, or this many ms, per event-loop turn. */
const SCAN_SLICE_DIRS = 256;
const SCAN_SLICE_MS = 5;

const CREDIT_POSTED = 0;
const CREDIT_HANDLED = 1;
const CREDIT_PAUSES = 2;

type ResolvedSpec = CoveringSpec;

interface Pending {
  action: 'CREATED' | 'UPDATED' | 'ATTRIBUTES_MODIFIED';
  since: number;
  dir: ByteString;
  name: ByteString;
  isDir: boolean;
}

export class FilePublisher extends EventPublisher<FileSubscription, FileEventContext> {
  readonly type = FILE_PUBLISHER_TYPE;
  private readonly options: Required<FilePublisherOptions>;
  private inotify: InotifyInstance | undefined;
  private worker: Worker | undefined;
  private workerStopped: Promise<void> | undefined;
  private readonly wdToDir = new Map<number, ByteString>();
  private readonly dirToWd = new Map<ByteString, number>();
  private specs: ResolvedSpec[] = [];
  private excludes = new ExcludeMatcher([]);
  private mask = CHANGE_MASK | WATCH_FLAGS;
  private readonly pending = new Map<ByteString, Pending>();
  private readonly coveringCache = new Map<ByteString, ResolvedSpec[]>();
  private readonly recentScanCreates = new Map<ByteString, number>();
  /** Tree scans in progress (see watchNewTree), and what inotify reported as created meanwhile. */
  private activeScans = 0;
  private readonly createdDuringScan = new Set<ByteString>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly problems = new Map<string, string>();
  private watchLimitMisses = 0;
  private watchLimitExample = '';
  private unreadable = 0;
  private unreadableExample = '';
  private overflows = 0;
  /** Shared with the reader thread: [posted, handled, pauses] batches (see inotify-reader-worker.ts). */
  private credit = new Int32Array(new SharedArrayBuffer(12));
  private configureRun: Promise<void> = Promise.resolve();

  constructor(options: FilePublisherOptions = {}) {
    super();
    const maxPendingBatches = options.maxPendingBatches ?? 64;
    if (!Number.isInteger(maxPendingBatches) || maxPendingBatches < 1) {
      throw new RangeError(`maxPendingBatches must be a whole number of at least 1, got ${String(maxPendingBatches)}`);
    }
    this.options = {
      enabled: options.enabled ?? true,
      coalesceMs: options.coalesceMs ?? 50,
      pollMs: options.pollMs ?? 100,
      maxPendingBatches,
    };
  }

  /** Reader hand-over and loss counters (for /metrics and tests). */
  counters(): FilePublisherCounters {
    return {
      batches: Atomics.load(this.credit, CREDIT_POSTED),
      readerPauses: Atomics.load(this.credit, CREDIT_PAUSES),
      overflows: this.overflows,
    };
  }

  /** Number of directories with an inotify watch. */
  get watchCount(): number {
    return this.wdToDir.size;
  }

  override async setUp(): Promise<void> {
    if (!this.options.enabled) throw new Error('Publisher disabled via configuration (--enable_file_events=false)');
    this.inotify = new InotifyInstance();
    this.setStatus('set up: no paths configured');
  }

  async start(): Promise<void> {
    if (!this.inotify) throw new Error('the inotify publisher was not set up');
    this.credit = new Int32Array(new SharedArrayBuffer(12));
    const credit = this.credit;
    const worker = new Worker(new URL('./inotify-reader-worker.js', import.meta.url), {
      workerData: { fd: this.inotify.fd, pollMs: this.options.pollMs, credit: credit.buffer, maxPendingBatches: this.options.maxPendingBatches },
    });
    this.worker = worker;
    this.workerStopped = new Promise((resolve) => {
      worker.once('exit', () => resolve());
    });
    worker.on('message', (message: { kind: string; data?: ArrayBuffer; message?: string }) => {
      if (message.kind === 'events' && message.data) {
        this.countRefresh();
        try {
          this.handleRaw(parseInotifyEvents(Buffer.from(message.data)));
        } finally {
          Atomics.add(credit, CREDIT_HANDLED, 1);
          Atomics.notify(credit, CREDIT_HANDLED);
        }
      } else if (message.kind === 'error') {
        this.noteProblem('read', String(message.message));
      }
    });
    worker.on('error', (error) => this.noteProblem('worker', `the inotify reader thread failed: ${error.message}`));
    worker.unref();
    this.refreshStatus();
  }

  async stop(): Promise<void> {
    this.markEnding();
    if (this.worker) {
      this.worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.pollMs * 5 + 500);
      });
      await Promise.race([this.workerStopped, timeout]);
      clearTimeout(timer);
      await this.worker.terminate().catch(() => undefined);
      this.worker = undefined;
    }
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.pending.clear();
    this.coveringCache.clear();
    this.inotify?.close();
    this.inotify = undefined;
    this.wdToDir.clear();
    this.dirToWd.clear();
  }

  /** Apply the subscriptions: expand patterns, watch what they cover, drop watches nothing covers any more. */
  override configure(): Promise<void> {
    const run = this.configureRun.then(() => this.applySubscriptions());
    this.configureRun = run.catch(() => undefined);
    return run;
  }

  private async applySubscriptions(): Promise<void> {
    if (!this.inotify) return;
    const errors: string[] = [];
    const specs: ResolvedSpec[] = [];
    const excludePatterns = new Set<string>();
    const missing: string[] = [];
    let anyAccess = false;
    for (const [subscriber, list] of this.subscriptions) {
      for (const sub of list) {
        for (const pattern of sub.excludes) excludePatterns.add(pattern);
        try {
          const expanded = expandFilePattern(sub.pattern);
          missing.push(...expanded.missing);
          for (const spec of expanded.specs) specs.push({ subscriber, category: sub.category, accesses: sub.accesses, spec });
          if (sub.accesses) anyAccess = true;
        } catch (error) {
          errors.push(`category "${sub.category}": ${(error as Error).message}`);
        }
      }
    }
    try {
      this.excludes = new ExcludeMatcher([...excludePatterns]);
    } catch (error) {
      errors.push((error as Error).message);
      this.excludes = new ExcludeMatcher([]);
    }
    this.specs = specs;
    this.coveringCache.clear();
    this.mask = CHANGE_MASK | WATCH_FLAGS | (anyAccess ? ACCESS_MASK : 0);
    this.problems.delete('missing');
    this.problems.delete('watch-limit');
    this.problems.delete('unreadable');
    this.problems.delete('alias');
    this.watchLimitMisses = 0;
    this.unreadable = 0;
    if (missing.length > 0) {
      const text = `${missing.length} path(s) do not exist and are not watched (create them, then reload the config): ${missing.slice(0, 3).join(', ')}`;
      this.problems.set('missing', text);
      this.logger.warn({ publisher: this.type, missing }, text);
    }
    const wanted = new Set<ByteString>();
    for (const { spec } of specs) {
      if (this.excludes.excludes(spec.dir)) continue;
      if (spec.recursive) await this.watchTree(spec.dir, wanted);
      else this.watchDirectory(spec.dir, wanted);
    }
    for (const [dir, wd] of [...this.dirToWd]) {
      if (wanted.has(dir)) continue;
      this.inotify.removeWatch(wd);
      this.dirToWd.delete(dir);
      this.wdToDir.delete(wd);
    }
    this.refreshStatus();
    if (errors.length > 0) {
      const text = errors.join('; ');
      this.problems.set('patterns', text);
      this.refreshStatus();
      throw new Error(text);
    }
    this.problems.delete('patterns');
    this.refreshStatus();
  }

  /** Add (or refresh) a watch on one directory. Returns false when it could not be watched. */
  private watchDirectory(dir: ByteString, wanted?: Set<ByteString>): boolean {
    if (!this.inotify) return false;
    let wd: number;
    try {
      wd = this.inotify.addWatch(dir, this.mask);
    } catch (error) {
      const errno = error instanceof InotifyError ? error.errno : -1;
      if (errno === ENOSPC) {
        this.watchLimitMisses++;
        if (!this.watchLimitExample) this.watchLimitExample = displayPath(dir);
        const text =
          `inotify watch limit reached (fs.inotify.max_user_watches=${inotifyLimit('max_user_watches')}): ` +
          `${this.watchLimitMisses} director${this.watchLimitMisses === 1 ? 'y is' : 'ies are'} not watched (first: ${this.watchLimitExample}); ` +
          'raise it with sysctl -w fs.inotify.max_user_watches=524288 or narrow file_paths / exclude_paths';
        if (!this.problems.has('watch-limit')) this.logger.warn({ publisher: this.type, dir: displayPath(dir) }, text);
        this.problems.set('watch-limit', text);
      } else if (errno === EACCES) {
        this.noteUnreadable(dir);
      } else if (errno !== ENOENT && errno !== ENOTDIR) {
        this.logger.warn({ publisher: this.type, dir: displayPath(dir), errno }, `Could not add inotify watch on: ${displayPath(dir)}`);
      }
      return false;
    }
    const previous = this.wdToDir.get(wd);
    if (previous !== undefined && previous !== dir) {
      if (this.dirToWd.get(previous) === wd && this.isSameDirectoryStill(previous)) {
        const text = `${displayPath(dir)} is the same directory as ${displayPath(previous)} (bind mount or loop): watched once`;
        this.problems.set('alias', text);
        this.logger.warn({ publisher: this.type }, text);
        wanted?.add(previous);
        return false;
      }
      this.dirToWd.delete(previous);
    }
    this.wdToDir.set(wd, dir);
    this.dirToWd.set(dir, wd);
    wanted?.add(dir);
    return true;
  }

  private isSameDirectoryStill(dir: ByteString): boolean {
    try {
      readdirSync(bytesBuffer(dir));
      return true;
    } catch {
      return false;
    }
  }

  private noteUnreadable(dir: ByteString): void {
    this.unreadable++;
    if (!this.unreadableExample) this.unreadableExample = displayPath(dir);
    const text = `${this.unreadable} director${this.unreadable === 1 ? 'y' : 'ies'} could not be read and are not watched below (first: ${this.unreadableExample}: permission denied)`;
    if (!this.problems.has('unreadable')) this.logger.warn({ publisher: this.type, dir: displayPath(dir) }, text);
    this.problems.set('unreadable', text);
  }

  /** Watch a directory and every directory below it (symlinks are not followed, so links cannot loop). */
  private async watchTree(root: ByteString, wanted: Set<ByteString>): Promise<void> {
    const queue: ByteString[] = [root];
    for (let next = 0; next < queue.length; next++) {
      const dir = queue[next]!;
      if (this.excludes.excludes(dir)) continue;
      if (!this.watchDirectory(dir, wanted)) continue;
      let entries;
      try {
        entries = await readdir(bytesBuffer(dir), { withFileTypes: true, encoding: 'buffer' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EACCES') this.noteUnreadable(dir);
        continue;
      }
      for (const entry of entries) {
        if (entry.isDirectory()) queue.push(joinPath(dir, (entry.name as unknown as Buffer).toString('latin1')));
      }
    }
  }

  /**
   * A directory appeared under a recursive spec: watch it and everything below, then (for a created directory)
   * report what is already inside as CREATED, since those files may have been written before the watch existed.
   * The walk runs in slices (SCAN_SLICE_DIRS directories or SCAN_SLICE_MS, whichever comes first) and yields to the
   * event loop between them, so a huge tree moved in does not stall event handling; a small tree is done at once.
   */
  private watchNewTree(dir: ByteString, reportContents: boolean): void {
    this.activeScans++;
    this.continueTreeScan([dir], reportContents);
  }

  private continueTreeScan(stack: ByteString[], reportContents: boolean): void {
    const deadline = performance.now() + SCAN_SLICE_MS;
    let directories = 0;
    while (stack.length > 0) {
      if (directories >= SCAN_SLICE_DIRS || (directories > 0 && performance.now() >= deadline)) {
        this.refreshStatus();
        setImmediate(() => this.continueTreeScan(stack, reportContents));
        return;
      }
      directories++;
      const current = stack.pop()!;
      if (this.excludes.excludes(current)) continue;
      if (!this.watchDirectory(current)) continue;
      let entries;
      try {
        entries = readdirSync(bytesBuffer(current), { withFileTypes: true, encoding: 'buffer' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EACCES') this.noteUnreadable(current);
        continue;
      }
      for (const entry of entries) {
        const name = (entry.name as unknown as Buffer).toString('latin1');
        const path = joinPath(current, name);
        const isDir = entry.isDirectory();
        const reported = this.recentScanCreates.has(path) || this.createdDuringScan.has(path);
        if (reportContents && !reported && !this.excludes.excludes(path)) {
          this.recentScanCreates.set(path, Date.now());
          this.ensureSweeper();
          this.emit(current, name, 'CREATED', 0, isDir);
        }
        if (isDir) stack.push(path);
      }
    }
    this.activeScans--;
    if (this.activeScans === 0) this.createdDuringScan.clear();
    this.refreshStatus();
  }

  private handleRaw(events: RawInotifyEvent[]): void {
    for (const event of events) {
      try {
        this.handleOne(event);
      } catch (error) {
        this.logger.error({ publisher: this.type, err: String(error) }, 'an inotify event could not be handled');
      }
    }
  }

  private handleOne(event: RawInotifyEvent): void {
    const { mask } = event;
    if (mask & IN_Q_OVERFLOW) {
      this.overflows++;
      const pauses = Atomics.load(this.credit, CREDIT_PAUSES);
      const text =
        `inotify queue overflowed ${this.overflows} time(s): events were lost ` +
        `(fs.inotify.max_queued_events=${inotifyLimit('max_queued_events')}; raise it with sysctl)` +
        (pauses > 0 ? `; the reader paused ${pauses} time(s) while ${this.options.maxPendingBatches} batches waited for the main thread` : '');
      if (this.overflows === 1 || this.overflows % 100 === 0) this.logger.warn({ publisher: this.type }, text);
      this.problems.set('overflow', text);
      this.refreshStatus();
      return;
    }
    const dir = this.wdToDir.get(event.wd);
    if (dir === undefined) return;
    if (mask & IN_IGNORED) {
      this.forgetWatch(event.wd, dir);
      return;
    }
    if (event.name === '') {
      if (mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
        if (mask & IN_MOVE_SELF) this.inotify?.removeWatch(event.wd);
        this.forgetWatch(event.wd, dir);
        const root = this.specs.find(({ spec }) => spec.dir === dir);
        if (root) {
          const text = `${displayPath(dir)} (file_paths pattern "${root.spec.pattern}") was ${mask & IN_MOVE_SELF ? 'moved' : mask & IN_UNMOUNT ? 'unmounted' : 'deleted'}; it is watched again once it exists and the config is reloaded`;
          this.problems.set('missing', text);
          this.logger.warn({ publisher: this.type }, text);
        }
        this.refreshStatus();
      }
      return;
    }
    const name = event.name;
    const path = joinPath(dir, name);
    const isDir = (mask & IN_ISDIR) !== 0;
    if (this.excludes.excludes(path)) return;

    if (mask & IN_CREATE) {
      // A tree scan still walking (in slices) must not report this entry a second time.
      if (this.activeScans > 0) this.createdDuringScan.add(path);
      this.flush(path);
      // Already reported by the scan of its brand-new parent directory?
      const scanned = this.recentScanCreates.has(path);
      if (isDir) {
        if (!scanned) this.emit(dir, name, 'CREATED', 0, true);
        if (this.coveredRecursively(path)) this.watchNewTree(path, true);
        return;
      }
      if (scanned) return;
      this.setPending(path, dir, name, 'CREATED', false);
    }
    if (mask & IN_MODIFY) {
      const current = this.pending.get(path);
      if (!current) this.setPending(path, dir, name, 'UPDATED', isDir);
      else if (current.action === 'ATTRIBUTES_MODIFIED') current.action = 'UPDATED';
    }
    if (mask & IN_ATTRIB) {
      if (!this.pending.has(path)) this.setPending(path, dir, name, 'ATTRIBUTES_MODIFIED', isDir);
    }
    if (mask & IN_CLOSE_WRITE) this.flush(path);
    if (mask & IN_OPEN) this.emit(dir, name, 'OPENED', 0, isDir, true);
    if (mask & IN_ACCESS) this.emit(dir, name, 'ACCESSED', 0, isDir, true);
    if (mask & IN_MOVED_FROM) {
      this.flush(path);
      this.emit(dir, name, 'MOVED_FROM', event.cookie, isDir);
      if (isDir) this.unwatchTree(path);
    }
    if (mask & IN_MOVED_TO) {
      this.pending.delete(path);
      this.emit(dir, name, 'MOVED_TO', event.cookie, isDir);
      if (isDir && this.coveredRecursively(path)) this.watchNewTree(path, false);
    }
    if (mask & IN_DELETE) {
      const current = this.pending.get(path);
      if (current?.action === 'ATTRIBUTES_MODIFIED') this.pending.delete(path); // the unlink's own link-count change
      else this.flush(path);
      this.emit(dir, name, 'DELETED', 0, isDir);
    }
  }

  private setPending(path: ByteString, dir: ByteString, name: ByteString, action: Pending['action'], isDir: boolean): void {
    this.pending.set(path, { action, since: Date.now(), dir, name, isDir });
    this.ensureSweeper();
  }

  private flush(path: ByteString): void {
    const entry = this.pending.get(path);
    if (!entry) return;
    this.pending.delete(path);
    this.emit(entry.dir, entry.name, entry.action, 0, entry.isDir);
  }

  private ensureSweeper(): void {
    if (this.sweeper) return;
    const interval = Math.max(5, Math.floor(this.options.coalesceMs / 2));
    this.sweeper = setInterval(() => this.sweep(), interval);
    this.sweeper.unref();
  }

  private sweep(): void {
    const now = Date.now();
    // Entries are (almost) in arrival order: stop at the first one still inside its window.
    for (const [path, entry] of this.pending) {
      if (now - entry.since < this.options.coalesceMs) break;
      this.flush(path);
    }
    for (const [path, at] of this.recentScanCreates) {
      if (now - at > 5000) this.recentScanCreates.delete(path);
    }
    if (this.pending.size === 0 && this.recentScanCreates.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private forgetWatch(wd: number, dir: ByteString): void {
    this.wdToDir.delete(wd);
    if (this.dirToWd.get(dir) === wd) this.dirToWd.delete(dir);
  }

  private unwatchTree(dir: ByteString): void {
    const prefix = dir + '/';
    for (const [path, wd] of [...this.dirToWd]) {
      if (path !== dir && !path.startsWith(prefix)) continue;
      this.inotify?.removeWatch(wd);
      this.forgetWatch(wd, path);
    }
  }

  private coveredRecursively(path: ByteString): boolean {
    for (const { spec } of this.specs) {
      if (!spec.recursive) continue;
      if (path === spec.dir || path.startsWith(spec.dir === '/' ? '/' : spec.dir + '/')) return true;
    }
    return false;
  }

  /** The subscriptions whose directory part covers `dir` (cached per directory; cleared when subscriptions change). */
  private specsCovering(dir: ByteString): ResolvedSpec[] {
    let found = this.coveringCache.get(dir);
    if (found) return found;
    found = this.specs.filter(({ spec }) => specCoversDirectory(spec, dir));
    if (this.coveringCache.size >= 65536) this.coveringCache.clear(); // bounded: a cache, not a registry
    this.coveringCache.set(dir, found);
    return found;
  }

  /** Fire one context per category among the subscriptions that cover dir/name. */
  private emit(dir: ByteString, name: ByteString, action: FileAction, cookie: number, isDir: boolean, access = false): void {
    const covering = this.specsCovering(dir);
    if (covering.length === 0) return;
    if (covering.length === 1) {
      // The common case (one file_paths entry covers the directory): no grouping needed.
      const { subscriber, category, accesses, spec } = covering[0]!;
      if ((access && !accesses) || (spec.leaf && !spec.leaf.test(name))) return;
      this.fireOne(dir, name, action, cookie, isDir, category, accesses, [subscriber]);
      return;
    }
    for (const [category, group] of groupByCategory(covering, name, access)) {
      this.fireOne(dir, name, action, cookie, isDir, category, group.accesses, group.subscribers);
    }
  }

  private fireOne(
    dir: ByteString,
    name: ByteString,
    action: FileAction,
    cookie: number,
    isDir: boolean,
    category: string,
    accessCategory: boolean,
    subscribers: string[],
  ): void {
    const pathBytes = joinPath(dir, name);
    const path = displayPath(pathBytes);
    this.fire({ path, pathBytes, action, category, transactionId: cookie, isDirectory: isDir, accessCategory }, subscribers);
  }

  private noteProblem(key: string, text: string): void {
    this.problems.set(key, text);
    this.logger.error({ publisher: this.type }, text);
    this.refreshStatus();
  }

  private refreshStatus(): void {
    const head = `${this.wdToDir.size} director${this.wdToDir.size === 1 ? 'y' : 'ies'} watched`;
    this.setStatus(this.problems.size === 0 ? head : `${head}; ${[...this.problems.values()].join('; ')}`);
  }
}
