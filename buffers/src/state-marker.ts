/**
 * `quarry-state.json`: a small marker beside data.mdb (0600) that says the directory is in use — the database format
 * and each ring's last eid. LMDB cannot tell an emptied or deleted data.mdb from a new database, so without it a
 * 0-byte data.mdb would start over silently: events, cursors and differential state gone, eids reused from 1.
 * With it, database-files.ts refuses that directory, and event-store.ts refuses a data.mdb whose rings are behind
 * the marker (a restore of an older copy would reissue eids).
 *
 * Only the publisher writes it: once at open, then on a timer and at close, each time after syncing data.mdb, so the
 * marker never claims more than the disk holds. It is replaced atomically (written beside, then renamed).
 */
import { closeSync, constants, fsyncSync, lstatSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseOpenError } from './database-open-error.js';

export const STATE_FILE = 'quarry-state.json';

export interface StateMarker {
  readonly format: string;
  /** Last eid per ring (subscriber). */
  readonly rings: Readonly<Record<string, number>>;
  readonly updatedAt: string;
}


function isMarker(value: unknown): value is StateMarker {
  const marker = value as StateMarker;
  return (
    typeof marker === 'object' && marker !== null && typeof marker.format === 'string' &&
    typeof marker.rings === 'object' && marker.rings !== null &&
    Object.values(marker.rings).every((eid) => typeof eid === 'number' && Number.isSafeInteger(eid) && eid >= 0)
  );
}

/** The marker in database directory `path`, or undefined when there is none. Throws when it is unreadable. */
export function readStateMarker(path: string): StateMarker | undefined {
  const file = join(path, STATE_FILE);
  try {
    const stat = lstatSync(file);
    if (!stat.isFile()) throw new DatabaseOpenError(`Database state file ${file} is not a regular file; remove it or choose another --database_path`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DatabaseOpenError(
      `Database state file ${file} cannot be read (${error instanceof Error ? error.message : String(error)}); ` +
        'the database may be damaged: move the directory aside or choose another --database_path',
    );
  }
  if (!isMarker(parsed)) {
    throw new DatabaseOpenError(`Database state file ${file} is not a Quarry state marker; move the directory aside or choose another --database_path`);
  }
  return parsed;
}

/** Replaces the marker (0600, written beside then renamed). Returns the error instead of throwing (disk full). */
export function writeStateMarker(path: string, marker: StateMarker): Error | undefined {
  const file = join(path, STATE_FILE);
  const temporary = `${file}.tmp`;
  try {
    const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, JSON.stringify(marker));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
