/**
 * The file_events subscriber: subscribes to the inotify publisher with the config's file_paths (minus
 * exclude_paths; file_accesses categories also get OPENED/ACCESSED), and turns each context into one row:
 * osquery's columns, the file's stat after the change, and MD5/SHA1/SHA256 for CREATED and UPDATED (bounded by
 * read_max, streamed off the event loop). Rows are appended to the ring in batches by EventSubscriber.
 */
import type { EventRingApi } from '@quarry/buffers';
import {
  EventSubscriber,
  FILE_PUBLISHER_TYPE,
  fileSubscriptionsFromConfig,
  EventsConfigError,
  type EventRowValues,
  type EventsConfig,
  type FileEventContext,
  type FileSubscription,
} from '@quarry/events';
import type { TableDefinition } from '@quarry/sql';
import { FileInspector, defaultInspectorWorkers, type InspectResult } from './file-inspector.js';
import { FILE_EVENTS_COLUMNS, FILE_EVENTS_DESCRIPTION, fileEventsTable } from './file-events-table.js';

export interface FileEventsOptions {
  /** osquery's read_max: files larger than this are not hashed (hashed = 0). Default 50 MiB. */
  readMax?: number;
  /** Worker threads that stat and hash (default 2 with two or more cores, else 1). */
  workers?: number;
}

export class FileEventsSubscriber extends EventSubscriber<FileSubscription, FileEventContext, EventRingApi> {
  readonly name = 'file_events';
  readonly publisherType = FILE_PUBLISHER_TYPE;
  readonly description = FILE_EVENTS_DESCRIPTION;
  readonly columns = FILE_EVENTS_COLUMNS;
  private readonly inspector: FileInspector;

  constructor(options: FileEventsOptions = {}) {
    super();
    // Rows wait at most 10 ms for company before the LMDB append (default 20 ms): a commit costs well under a
    // millisecond with the store's noSync (5 ms was tried: twice the appends, more CPU, no better under load).
    // At most 2,000 rows per append (default 10,000): a 10,000-row commit held the event loop for ~45 ms in a burst,
    // delaying every event behind it; smaller commits interleave with the inotify and hashing traffic.
    this.batching = { ...this.batching, maxDelayMs: 10, maxRows: 2000 };
    this.inspector = new FileInspector(options.readMax ?? 52428800, options.workers ?? defaultInspectorWorkers());
  }

  configure(config: EventsConfig): FileSubscription[] {
    try {
      return fileSubscriptionsFromConfig(config);
    } catch (error) {
      throw new EventsConfigError((error as Error).message);
    }
  }

  /** Start the hashing workers now: started lazily, their start-up (~50-300 ms under load) delayed the first burst. */
  override async init(): Promise<void> {
    await this.inspector.start();
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.inspector.close();
  }

  table(ring: EventRingApi | undefined): TableDefinition {
    return fileEventsTable(ring);
  }

  protected toRows(ctx: FileEventContext): EventRowValues[] | Promise<EventRowValues[]> {
    const row: EventRowValues = {
      target_path: ctx.path,
      category: ctx.category,
      action: ctx.action,
      transaction_id: ctx.transactionId,
      inode: null,
      uid: null,
      gid: null,
      mode: null,
      size: null,
      atime: null,
      mtime: null,
      ctime: null,
      md5: '',
      sha1: '',
      sha256: '',
      hashed: 0,
    };
    if (ctx.action === 'DELETED' || ctx.action === 'MOVED_FROM') return [row];
    const hash = (ctx.action === 'CREATED' || ctx.action === 'UPDATED') && !ctx.accessCategory;
    return this.inspector.inspect(ctx.pathBytes, hash).then((found) => [withInspection(row, found)]);
  }
}

/** Fills the file columns from what the inspector found. */
function withInspection(row: EventRowValues, found: InspectResult): EventRowValues {
  const stat = found.stat;
  if (stat) {
    // Gone again before we looked: the row keeps its action with empty file columns (as osquery).
    row.inode = stat.ino;
    row.uid = stat.uid;
    row.gid = stat.gid;
    row.mode = (stat.mode & 0o7777).toString(8).padStart(4, '0');
    row.size = stat.size;
    row.atime = stat.atime;
    row.mtime = stat.mtime;
    row.ctime = stat.ctime;
  }
  row.md5 = found.md5;
  row.sha1 = found.sha1;
  row.sha256 = found.sha256;
  row.hashed = found.hashed;
  return row;
}
