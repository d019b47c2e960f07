/**
 * A NETLINK_KOBJECT_UEVENT socket through koffi (libc): socket, bind to one multicast group, a larger receive
 * buffer, close — and sendto for a tool or test that replays udev-format messages to a group. Reading happens in
 * uevent-reader-worker.ts on a worker thread: Node's net.Socket refuses a netlink descriptor (libuv sees an
 * AF_NETLINK socket as an UNKNOWN handle: ERR_INVALID_FD_TYPE), so poll()+recvfrom() run off the event loop.
 */
import koffi from 'koffi';

export const AF_NETLINK = 16;
export const NETLINK_KOBJECT_UEVENT = 15;
/** The kernel's uevents. */
export const UEVENT_GROUP_KERNEL = 1;
/** udevd's processed events ("libudev" messages). */
export const UEVENT_GROUP_UDEV = 2;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;
/** The receive buffer asked for: a burst of uevents (a USB hub, a udevadm trigger) fits without ENOBUFS. */
export const UEVENT_RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;

interface NetlinkLibc {
  socket: (domain: number, type: number, protocol: number) => number;
  bind: (fd: number, address: Buffer, length: number) => number;
  setsockopt: (fd: number, level: number, name: number, value: Buffer, length: number) => number;
  sendto: (fd: number, data: Buffer, length: number, flags: number, address: Buffer, addressLength: number) => number;
  close: (fd: number) => number;
}

let libc: NetlinkLibc | undefined;
function load(): NetlinkLibc {
  if (libc) return libc;
  if (process.platform !== 'linux') throw new Error(`udev netlink sockets are Linux only (this is ${process.platform})`);
  const lib = koffi.load('libc.so.6');
  libc = {
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    bind: lib.func('int bind(int fd, const void *addr, uint32_t len)'),
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)'),
    sendto: lib.func('long sendto(int fd, const void *buf, unsigned long len, int flags, const void *addr, uint32_t addrlen)'),
    close: lib.func('int close(int fd)'),
  };
  return libc;
}

/** struct sockaddr_nl: family, pad, port id (0: the kernel assigns one), groups bitmask. */
function netlinkAddress(groups: number): Buffer {
  const address = Buffer.alloc(12);
  address.writeUInt16LE(AF_NETLINK, 0);
  address.writeUInt32LE(0, 4);
  address.writeUInt32LE(groups >>> 0, 8);
  return address;
}

export interface UeventSocket {
  fd: number;
  /** The group bound to (1 kernel, 2 udev; 0 for a send-only socket). */
  group: number;
  /** The receive buffer the kernel granted, or '' when the default was kept. */
  receiveBuffer: string;
}

/** Opens a non-blocking uevent socket bound to `group` (1 or 2, or 0 to only send). Throws naming errno. */
export function openUeventSocket(group: number): UeventSocket {
  const c = load();
  const fd = c.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
  if (fd < 0) throw new Error(`socket(AF_NETLINK, NETLINK_KOBJECT_UEVENT) failed (errno ${koffi.errno()})`);
  const groups = group === 0 ? 0 : 1 << (group - 1);
  if (c.bind(fd, netlinkAddress(groups), 12) !== 0) {
    const errno = koffi.errno();
    c.close(fd);
    throw new Error(`binding the uevent socket to netlink group ${group} failed (errno ${errno}${errno === 1 ? ': EPERM, run as root' : ''})`);
  }
  let receiveBuffer = '';
  if (group !== 0) {
    const size = Buffer.alloc(4);
    size.writeInt32LE(UEVENT_RECEIVE_BUFFER_BYTES, 0);
    // SO_RCVBUFFORCE passes the rmem_max cap as root; SO_RCVBUF (capped) otherwise.
    if (c.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4) === 0) receiveBuffer = `${UEVENT_RECEIVE_BUFFER_BYTES} bytes`;
    else if (c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4) === 0) receiveBuffer = 'capped by net.core.rmem_max';
  }
  return { fd, group, receiveBuffer };
}

export function closeUeventSocket(fd: number): void {
  load().close(fd);
}

/** Sends `data` to the members of netlink `group` from `fd` (root only: CAP_NET_ADMIN). Throws naming errno. */
export function sendToUeventGroup(fd: number, group: number, data: Buffer): void {
  const sent = load().sendto(fd, data, data.length, 0, netlinkAddress(1 << (group - 1)), 12);
  // No member of the group is ECONNREFUSED (111): nothing was listening, which is no failure of the sender.
  if (sent < 0 && koffi.errno() !== 111) throw new Error(`sending to netlink uevent group ${group} failed (errno ${koffi.errno()})`);
}
