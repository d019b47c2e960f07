/**
 * The two libc calls Node lacks for a named pipe, through koffi: mkfifo(3) and flock(2) (osquery locks the pipe so
 * that only one reader — one osqueryd, osqueryi or quarryd — takes lines out of it).
 */
import koffi from 'koffi';

const LOCK_EX = 2;
const LOCK_NB = 4;
const EEXIST = 17;
const EWOULDBLOCK = 11;

interface FifoLibc {
  mkfifo: (path: Buffer, mode: number) => number;
  flock: (fd: number, operation: number) => number;
}

let libc: FifoLibc | undefined;
function load(): FifoLibc {
  if (libc) return libc;
  if (process.platform !== 'linux') throw new Error(`the syslog pipe is Linux only (this is ${process.platform})`);
  const lib = koffi.load('libc.so.6');
  libc = {
    mkfifo: lib.func('int mkfifo(const void *path, uint32_t mode)'),
    flock: lib.func('int flock(int fd, int operation)'),
  };
  return libc;
}

/** Creates a FIFO at `path` with `mode` (before the umask; chmod afterwards to be exact). Throws naming errno. */
export function makeFifo(path: string, mode: number): void {
  if (load().mkfifo(Buffer.from(path + '\0', 'utf8'), mode) === 0) return;
  const errno = koffi.errno();
  throw new Error(
    errno === EEXIST ? `mkfifo ${path}: something else created it meanwhile` : `mkfifo ${path} failed (errno ${errno})`,
  );
}

/** Takes an exclusive, non-blocking flock on `fd`: false when another process holds it. */
export function lockExclusive(fd: number): boolean {
  if (load().flock(fd, LOCK_EX | LOCK_NB) === 0) return true;
  const errno = koffi.errno();
  if (errno === EWOULDBLOCK) return false;
  throw new Error(`flock on the syslog pipe failed (errno ${errno})`);
}
