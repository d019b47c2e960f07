/**
 * A connected AF_UNIX SOCK_DGRAM client socket (Node has none), bound to libc with koffi: socket, connect, send,
 * poll, close. Used by the syslog logger plugin to send to the syslog daemon's socket (/dev/log or
 * --logger_syslog_socket). Every call is non-blocking except a bounded poll() when the daemon's queue is full.
 */
import koffi from 'koffi';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_SNDBUF = 7;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const POLLOUT = 0x4;
/** sizeof(sockaddr_un.sun_path): the path and its NUL must fit. */
const SUN_PATH_BYTES = 108;

const ERRNO_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(koffi.os.errno).map(([name, n]) => [n as number, name]));
const errno = koffi.os.errno as Record<string, number>;
export const EAGAIN = errno.EAGAIN ?? 11;
export const EINTR = errno.EINTR ?? 4;
export const EMSGSIZE = errno.EMSGSIZE ?? 90;

export function errnoName(value: number): string {
  return ERRNO_NAMES.get(value) ?? `errno ${value}`;
}

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  connect(fd: number, addr: Buffer, length: number): number;
  send(fd: number, data: Buffer, length: number, flags: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, length: number): number;
  getsockopt(fd: number, level: number, name: number, value: Buffer, length: Buffer): number;
  poll(fds: Buffer, count: number, timeoutMs: number): number;
  close(fd: number): number;
}

let bound: Libc | undefined;

function libc(): Libc {
  if (bound) return bound;
  if (process.platform !== 'linux') throw new Error(`the syslog logger plugin needs Linux (Unix datagram sockets through libc); this is ${process.platform}`);
  const lib = koffi.load('libc.so.6');
  bound = {
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    connect: lib.func('int connect(int fd, void *addr, uint32_t len)'),
    send: lib.func('long send(int fd, void *buf, size_t len, int flags)'),
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, void *value, uint32_t len)'),
    getsockopt: lib.func('int getsockopt(int fd, int level, int name, void *value, void *len)'),
    poll: lib.func('int poll(void *fds, unsigned long nfds, int timeout)'),
    close: lib.func('int close(int fd)'),
  };
  return bound;
}

/** A failed libc call: `operation` failed with `code` (ENOENT, ECONNREFUSED, ...). */
export class UnixSocketError extends Error {
  constructor(
    readonly operation: string,
    readonly errno: number,
  ) {
    super(`${operation}: ${errnoName(errno)}`);
    this.name = 'UnixSocketError';
  }
  get code(): string {
    return errnoName(this.errno);
  }
}

function sockaddrUn(path: string): Buffer {
  const bytes = Buffer.from(path, 'utf8');
  if (bytes.length === 0 || bytes.length >= SUN_PATH_BYTES) {
    throw new Error(`syslog socket path ${JSON.stringify(path)} must be 1 to ${SUN_PATH_BYTES - 1} bytes long (a Unix socket address limit): choose a shorter --logger_syslog_socket`);
  }
  const addr = Buffer.alloc(2 + SUN_PATH_BYTES);
  addr.writeUInt16LE(AF_UNIX, 0);
  bytes.copy(addr, 2);
  return addr;
}

/** What one send did: sent, or the errno it failed with (EAGAIN once the wait for room ran out). */
export type SendResult = { ok: true } | { ok: false; errno: number };

export class UnixDatagramSocket {
  private closed = false;
  private readonly pollFds = Buffer.alloc(8);

  private constructor(
    private readonly fd: number,
    readonly path: string,
    /** SO_SNDBUF as the kernel set it: a datagram must be a little smaller than this (else EMSGSIZE). */
    readonly sendBufferBytes: number,
  ) {
    this.pollFds.writeInt32LE(fd, 0);
    this.pollFds.writeInt16LE(POLLOUT, 4);
  }

  /**
   * Opens a datagram socket and connects it to `path`. `sendBufferBytes` asks for a larger SO_SNDBUF (the kernel caps
   * it at net.core.wmem_max), which is what bounds the size of one datagram. Throws UnixSocketError.
   */
  static connect(path: string, sendBufferBytes = 0): UnixDatagramSocket {
    const addr = sockaddrUn(path);
    const c = libc();
    const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw new UnixSocketError('socket(AF_UNIX, SOCK_DGRAM)', koffi.errno());
    try {
      if (sendBufferBytes > 0) {
        const size = Buffer.alloc(4);
        size.writeInt32LE(Math.min(sendBufferBytes, 0x3fffffff), 0);
        c.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, size, 4); // best effort: the default stays if refused
      }
      const value = Buffer.alloc(4);
      const length = Buffer.alloc(4);
      length.writeUInt32LE(4, 0);
      const actual = c.getsockopt(fd, SOL_SOCKET, SO_SNDBUF, value, length) === 0 ? value.readInt32LE(0) : 0;
      if (c.connect(fd, addr, addr.length) < 0) throw new UnixSocketError(`connect to ${path}`, koffi.errno());
      return new UnixDatagramSocket(fd, path, actual);
    } catch (error) {
      c.close(fd);
      throw error;
    }
  }

  /**
   * Sends one datagram without blocking. When the receiver's queue is full (EAGAIN) it waits for room with poll(),
   * at most `waitMs` in all, then gives up with EAGAIN.
   */
  send(data: Buffer, waitMs: number): SendResult {
    if (this.closed) return { ok: false, errno: errno.EBADF ?? 9 };
    const c = libc();
    const deadline = Date.now() + waitMs;
    for (;;) {
      const sent = c.send(this.fd, data, data.length, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (sent >= 0) return { ok: true };
      const code = koffi.errno();
      if (code === EINTR) continue;
      if (code !== EAGAIN) return { ok: false, errno: code };
      const left = deadline - Date.now();
      if (left <= 0) return { ok: false, errno: EAGAIN };
      c.poll(this.pollFds, 1, Math.max(1, Math.min(left, 100)));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    libc().close(this.fd);
  }
}
