/**
 * A small raw inotify binding through koffi (libc): inotify_init1, inotify_add_watch, inotify_rm_watch, close.
 * Reading happens in inotify-reader-worker.ts on a worker thread, so a busy event loop never lets the kernel queue
 * overflow. Why not chokidar: chokidar 5 reports a rename as `unlink` + `add` with no shared cookie, and a chmod as
 * `change` like a write (measured; see the README's file events section), so MOVED_FROM/MOVED_TO pairs,
 * ATTRIBUTES_MODIFIED, OPENED/ACCESSED and one UPDATED per write need the kernel's own events.
 */
import { readFileSync } from 'node:fs';
import koffi from 'koffi';

export const IN_ACCESS = 0x1;
export const IN_MODIFY = 0x2;
export const IN_ATTRIB = 0x4;
export const IN_CLOSE_WRITE = 0x8;
export const IN_OPEN = 0x20;
export const IN_MOVED_FROM = 0x40;
export const IN_MOVED_TO = 0x80;
export const IN_CREATE = 0x100;
export const IN_DELETE = 0x200;
export const IN_DELETE_SELF = 0x400;
export const IN_MOVE_SELF = 0x800;
export const IN_UNMOUNT = 0x2000;
export const IN_Q_OVERFLOW = 0x4000;
export const IN_IGNORED = 0x8000;
export const IN_ONLYDIR = 0x1000000;
export const IN_DONTFOLLOW = 0x2000000;
export const IN_EXCL_UNLINK = 0x4000000;
export const IN_ISDIR = 0x40000000;
const IN_NONBLOCK = 0o4000;
const IN_CLOEXEC = 0o2000000;

export const ENOENT = 2;
export const EACCES = 13;
export const ENOTDIR = 20;
export const ENOSPC = 28;
export const EMFILE = 24;

/** Changes to files and directories, what osquery's kFileDefaultMasks asks for, plus self events to clean up. */
export const CHANGE_MASK =
  IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF;
export const ACCESS_MASK = IN_OPEN | IN_ACCESS;
export const WATCH_FLAGS = IN_ONLYDIR | IN_DONTFOLLOW | IN_EXCL_UNLINK;

export interface RawInotifyEvent {
  wd: number;
  mask: number;
  cookie: number;
  /** Byte string (latin1), '' for events on the watched directory itself. */
  name: string;
}

interface Libc {
  init1: (flags: number) => number;
  addWatch: (fd: number, path: Buffer, mask: number) => number;
  rmWatch: (fd: number, wd: number) => number;
  close: (fd: number) => number;
}

let libc: Libc | undefined;
function load(): Libc {
  if (libc) return libc;
  if (process.platform !== 'linux') throw new Error(`inotify is Linux only (this is ${process.platform})`);
  const lib = koffi.load('libc.so.6');
  libc = {
    init1: lib.func('int inotify_init1(int flags)'),
    addWatch: lib.func('int inotify_add_watch(int fd, const void *path, uint32_t mask)'),
    rmWatch: lib.func('int inotify_rm_watch(int fd, int wd)'),
    close: lib.func('int close(int fd)'),
  };
  return libc;
}

export class InotifyError extends Error {
  constructor(message: string, readonly errno: number) {
    super(message);
    this.name = 'InotifyError';
  }
}

/** One inotify instance (file descriptor). */
export class InotifyInstance {
  readonly fd: number;
  private closed = false;

  constructor() {
    const c = load();
    const fd = c.init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
      const errno = koffi.errno();
      throw new InotifyError(
        errno === EMFILE
          ? 'inotify_init1 failed: the per-user inotify instance limit is reached; raise fs.inotify.max_user_instances (sysctl)'
          : `inotify_init1 failed (errno ${errno})`,
        errno,
      );
    }
    this.fd = fd;
  }

  /** Returns the watch descriptor, or throws InotifyError with the errno. `path` is a byte string. */
  addWatch(path: string, mask: number): number {
    const wd = load().addWatch(this.fd, Buffer.from(path + '\0', 'latin1'), mask >>> 0);
    if (wd < 0) throw new InotifyError(`inotify_add_watch failed (errno ${koffi.errno()})`, koffi.errno());
    return wd;
  }

  removeWatch(wd: number): void {
    if (!this.closed) load().rmWatch(this.fd, wd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    load().close(this.fd);
  }
}

/** Parse a read() buffer of struct inotify_event records. */
export function parseInotifyEvents(buffer: Buffer): RawInotifyEvent[] {
  const events: RawInotifyEvent[] = [];
  let offset = 0;
  while (offset + 16 <= buffer.length) {
    const wd = buffer.readInt32LE(offset);
    const mask = buffer.readUInt32LE(offset + 4);
    const cookie = buffer.readUInt32LE(offset + 8);
    const len = buffer.readUInt32LE(offset + 12);
    let end = offset + 16;
    const limit = end + len;
    while (end < limit && buffer[end] !== 0) end++;
    events.push({ wd, mask, cookie, name: buffer.toString('latin1', offset + 16, end) });
    offset = limit;
  }
  return events;
}

/** Reads /proc/sys/fs/inotify/<name> for error messages. */
export function inotifyLimit(name: 'max_user_watches' | 'max_queued_events' | 'max_user_instances'): string {
  try {
    return readFileSync(`/proc/sys/fs/inotify/${name}`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
