// The few libc calls node-audit needs, bound with koffi. Loaded lazily, once per thread that uses them.
import koffi from 'koffi';

export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, length: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, length: number): number;
  getsockname(fd: number, addr: Buffer, length: Buffer): number;
  sendto(fd: number, data: Buffer, length: number, flags: number, addr: Buffer, addrLength: number): number;
  recv(fd: number, data: Buffer, length: number, flags: number): number;
  poll(fds: Buffer, count: number, timeoutMs: number): number;
  pollAsync(fds: Buffer, count: number, timeoutMs: number): Promise<number>;
  close(fd: number): number;
  errno(): number;
}

let cached: Libc | undefined;

/** The libc bindings for this thread. Throws with a clear message off Linux. */
export function libc(): Libc {
  if (cached) return cached;
  if (process.platform !== 'linux') throw new Error(`node-audit needs Linux (NETLINK_AUDIT); this is ${process.platform}`);
  const lib = koffi.load('libc.so.6');
  const poll = lib.func('int poll(void *fds, unsigned long nfds, int timeout)');
  const bound: Libc = {
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    bind: lib.func('int bind(int fd, void *addr, uint32_t len)'),
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, void *value, uint32_t len)'),
    getsockname: lib.func('int getsockname(int fd, void *addr, void *len)'),
    sendto: lib.func('long sendto(int fd, void *buf, size_t len, int flags, void *addr, uint32_t addrlen)'),
    recv: lib.func('long recv(int fd, void *buf, size_t len, int flags)'),
    poll,
    pollAsync: (fds, count, timeoutMs) =>
      new Promise((resolve, reject) => {
        poll.async(fds, count, timeoutMs, (err: unknown, result: number) => (err ? reject(err) : resolve(result)));
      }),
    close: lib.func('int close(int fd)'),
    errno: () => koffi.errno(),
  };
  cached = bound;
  return bound;
}
