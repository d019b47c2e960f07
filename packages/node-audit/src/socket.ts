// A NETLINK_AUDIT socket: open (optionally joined to the read-log multicast group), send, and non-blocking receive.
// Waiting for data is done by poll(2): synchronously (worker threads, shutdown paths) or on libuv's pool (async).
import {
  AF_NETLINK, AUDIT_NLGRP_READLOG, MSG_DONTWAIT, NETLINK_AUDIT, NLM_F_REQUEST, POLLIN, SO_RCVBUF, SO_RCVBUFFORCE,
  SOCK_CLOEXEC, SOCK_RAW, SOL_SOCKET,
} from './constants.js';
import { AuditError } from './errors.js';
import { libc } from './libc.js';
import { encodeNetlinkMessage } from './netlink.js';

export interface AuditSocketOptions {
  /** Join AUDIT_NLGRP_READLOG: receive a copy of every record without being the audit daemon (CAP_AUDIT_READ). */
  multicast?: boolean;
  /** SO_RCVBUF(FORCE) size in bytes; 0 keeps the system default. */
  receiveBufferBytes?: number;
}

/** Largest datagram the kernel audit subsystem sends (MAX_AUDIT_MESSAGE_LENGTH is 8970) plus generous slack. */
const RECEIVE_BYTES = 64 * 1024;
const EAGAIN = 11;
const EINTR = 4;
export const ENOBUFS = 105;

function sockaddrNl(groups: number): Buffer {
  const addr = Buffer.alloc(12);
  addr.writeUInt16LE(AF_NETLINK, 0);
  addr.writeUInt32LE(0, 4); // nl_pid 0: the kernel assigns our port id (bind) / addresses the kernel (sendto)
  addr.writeUInt32LE(groups, 8);
  return addr;
}

export type ReceiveResult = { kind: 'data'; data: Uint8Array } | { kind: 'empty' } | { kind: 'overrun' };

export class AuditSocket {
  readonly fd: number;
  /** The netlink port id the kernel gave this socket. */
  readonly portId: number;
  private nextSeq = 1;
  private closed = false;
  private readonly receiveBuffer = Buffer.alloc(RECEIVE_BYTES);
  private readonly pollFds = Buffer.alloc(8);

  private constructor(fd: number, portId: number) {
    this.fd = fd;
    this.portId = portId;
    this.pollFds.writeInt32LE(fd, 0);
    this.pollFds.writeInt16LE(POLLIN, 4);
  }

  static open(options: AuditSocketOptions = {}): AuditSocket {
    const c = libc();
    const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
    if (fd < 0) throw new AuditError('open a NETLINK_AUDIT socket', c.errno());
    try {
      if (options.receiveBufferBytes && options.receiveBufferBytes > 0) {
        const size = Buffer.alloc(4);
        size.writeInt32LE(Math.min(options.receiveBufferBytes, 0x7fffffff), 0);
        if (c.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4) < 0) c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4);
      }
      const addr = sockaddrNl(options.multicast ? 1 << (AUDIT_NLGRP_READLOG - 1) : 0);
      if (c.bind(fd, addr, addr.length) < 0) {
        throw new AuditError(options.multicast ? 'join the audit multicast read-log group' : 'bind the audit netlink socket', c.errno());
      }
      const bound = Buffer.alloc(12);
      const length = Buffer.alloc(4);
      length.writeUInt32LE(12, 0);
      const portId = c.getsockname(fd, bound, length) === 0 ? bound.readUInt32LE(4) : 0;
      return new AuditSocket(fd, portId);
    } catch (error) {
      c.close(fd);
      throw error;
    }
  }

  /** Sends one request to the kernel; returns its sequence number. */
  send(type: number, flags: number, payload: Uint8Array, operation: string): number {
    this.assertOpen(operation);
    const seq = this.nextSeq++;
    const message = encodeNetlinkMessage(type, NLM_F_REQUEST | flags, seq, payload);
    const c = libc();
    const kernel = sockaddrNl(0);
    for (;;) {
      const sent = c.sendto(this.fd, message, message.length, 0, kernel, kernel.length);
      if (sent >= 0) return seq;
      const errno = c.errno();
      if (errno !== EINTR) throw new AuditError(operation, errno);
    }
  }

  /** Takes one datagram if one is waiting; never blocks. 'overrun' means the kernel dropped data (ENOBUFS). */
  receiveNow(): ReceiveResult {
    this.assertOpen('receive from the audit socket');
    const c = libc();
    for (;;) {
      const n = c.recv(this.fd, this.receiveBuffer, this.receiveBuffer.length, MSG_DONTWAIT);
      if (n >= 0) return { kind: 'data', data: this.receiveBuffer.subarray(0, Math.min(n, this.receiveBuffer.length)) };
      const errno = c.errno();
      if (errno === EINTR) continue;
      if (errno === EAGAIN) return { kind: 'empty' };
      if (errno === ENOBUFS) return { kind: 'overrun' };
      throw new AuditError('receive from the audit socket', errno);
    }
  }

  /** Blocks the calling thread up to timeoutMs until data is waiting. Use only off the main thread or at shutdown. */
  waitReadableSync(timeoutMs: number): boolean {
    this.assertOpen('wait on the audit socket');
    return libc().poll(this.pollFds, 1, Math.max(0, Math.round(timeoutMs))) > 0;
  }

  /** Waits up to timeoutMs for data on libuv's thread pool; the event loop keeps running. */
  async waitReadable(timeoutMs: number): Promise<boolean> {
    this.assertOpen('wait on the audit socket');
    return (await libc().pollAsync(this.pollFds, 1, Math.max(0, Math.round(timeoutMs)))) > 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    libc().close(this.fd);
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new AuditError(operation, 9, 'the audit socket is already closed');
  }
}
