/**
 * Appends that could not be stored (disk full, read-only storage, any other storage failure): counted per ring and
 * reason, reported once when an outage begins and once, with the count, when appends succeed again. The caller gets
 * a BufferStorageError that says what happened in words (never LMDB's raw text glued onto a log line).
 */
import { LmdbError } from 'node-liblmdb';

export type DropReason = 'disk_full' | 'read_only' | 'storage_error';

/** What the store tells its owner about outages (the daemon logs it; the default is a process warning). */
export interface StorageFaultReport {
  readonly state: 'failing' | 'recovered';
  readonly reason: DropReason;
  /** Rows dropped in this outage so far (at 'recovered': in the whole outage). */
  readonly dropped: number;
  readonly message: string;
}

export class BufferStorageError extends Error {
  constructor(
    message: string,
    readonly reason: DropReason,
    readonly rows: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BufferStorageError';
  }
}

function reasonOf(error: unknown): DropReason {
  const code = error instanceof LmdbError ? error.codeName : (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'MDB_MAP_FULL' || code === 'EDQUOT' || code === 'EFBIG') return 'disk_full';
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return 'read_only';
  return 'storage_error';
}

const WHAT: Record<DropReason, string> = {
  disk_full: 'the disk (or the database map) is full',
  read_only: 'the database is read-only',
  storage_error: 'the database cannot be written',
};

export class AppendFaults {
  private readonly counts = new Map<string, Record<string, number>>();
  private outage: { reason: DropReason; dropped: number } | undefined;

  constructor(
    private readonly path: string,
    private readonly report: (report: StorageFaultReport) => void,
  ) {}

  /** Counts `rows` of `subscriber` as dropped for `error`'s reason and returns the error to throw. */
  failed(subscriber: string, rows: number, error: unknown): Error {
    if (error instanceof TypeError || error instanceof RangeError) return error; // bad input, not storage
    const reason = reasonOf(error);
    const counts = this.counts.get(subscriber) ?? {};
    counts[reason] = (counts[reason] ?? 0) + rows;
    this.counts.set(subscriber, counts);
    const detail = error instanceof LmdbError ? error.codeName : ((error as NodeJS.ErrnoException)?.code ?? String(error));
    const message =
      `Event buffer ${this.path} cannot store rows: ${WHAT[reason]} (${detail}); ` +
      'new events are dropped and counted in quarry_buffer_dropped_total{reason="' + reason + '"} until it can';
    if (this.outage === undefined) {
      this.outage = { reason, dropped: rows };
      this.report({ state: 'failing', reason, dropped: rows, message });
    } else this.outage.dropped += rows;
    return new BufferStorageError(`${rows} rows of ${subscriber} were not stored: ${WHAT[reason]} (${detail})`, reason, rows, { cause: error });
  }

  /** An append succeeded: ends an outage (one report with its count). */
  stored(_subscriber: string): void {
    const outage = this.outage;
    if (outage === undefined) return;
    this.outage = undefined;
    this.report({
      state: 'recovered',
      reason: outage.reason,
      dropped: outage.dropped,
      message: `Event buffer ${this.path} stores rows again; ${outage.dropped} rows were dropped while ${WHAT[outage.reason]}`,
    });
  }

  /** Rows of `subscriber` dropped by failed appends since the store opened, by reason. */
  droppedBy(subscriber: string): Readonly<Record<string, number>> {
    return { disk_full: 0, read_only: 0, storage_error: 0, ...this.counts.get(subscriber) };
  }
}
