// One request/response exchange with the kernel over an AuditSocket, synchronous or asynchronous.
// Replies are matched by sequence number; stray messages (late replies of timed-out requests) are skipped.
import { NLM_F_ACK, NLMSG_DONE, NLMSG_ERROR } from './constants.js';
import { AuditError } from './errors.js';
import { decodeNetlinkError, decodeNetlinkMessages, type NetlinkMessage } from './netlink.js';
import type { AuditSocket } from './socket.js';

/** What ends the exchange: an ACK, a reply of one type, or a multi-part reply ending in NLMSG_DONE. */
export type Expectation = { kind: 'ack' } | { kind: 'reply'; type: number } | { kind: 'multi'; type: number };

export interface Request {
  type: number;
  payload: Uint8Array;
  expect: Expectation;
  /** Names the operation in errors, e.g. "add audit rule". */
  operation: string;
  timeoutMs: number;
}

class Exchange {
  readonly replies: NetlinkMessage[] = [];
  done = false;
  error: AuditError | undefined;
  malformed = 0;

  constructor(private readonly seq: number, private readonly request: Request) {}

  take(data: Uint8Array): void {
    const { messages, errors } = decodeNetlinkMessages(data);
    this.malformed += errors.length;
    for (const message of messages) {
      if (this.done || message.seq !== this.seq) continue;
      if (message.type === NLMSG_ERROR) {
        const err = decodeNetlinkError(message);
        if (!err) {
          this.fail(new AuditError(this.request.operation, 0, 'the kernel sent a truncated NLMSG_ERROR'));
        } else if (err.errno !== 0) {
          this.fail(new AuditError(this.request.operation, err.errno));
        } else if (this.request.expect.kind === 'ack') {
          this.done = true;
        }
        continue;
      }
      const expect = this.request.expect;
      if (expect.kind === 'multi' && message.type === NLMSG_DONE) {
        this.done = true;
      } else if (expect.kind !== 'ack' && message.type === expect.type) {
        this.replies.push({ ...message, payload: Uint8Array.from(message.payload) });
        if (expect.kind === 'reply') this.done = true;
      }
    }
  }

  private fail(error: AuditError): void {
    this.error = error;
    this.done = true;
  }

  result(): NetlinkMessage[] {
    if (this.error) throw this.error;
    return this.replies;
  }

  timeout(): AuditError {
    return new AuditError(this.request.operation, 110, `no complete answer within ${this.request.timeoutMs} ms`);
  }
}

function start(socket: AuditSocket, request: Request): Exchange {
  const flags = request.expect.kind === 'ack' ? NLM_F_ACK : 0;
  const seq = socket.send(request.type, flags, request.payload, request.operation);
  return new Exchange(seq, request);
}

function drain(socket: AuditSocket, exchange: Exchange): void {
  while (!exchange.done) {
    const got = socket.receiveNow();
    if (got.kind === 'empty') return;
    if (got.kind === 'data') exchange.take(got.data);
  }
}

/** Sends a request and waits on libuv's thread pool; the event loop is never blocked. */
export async function transact(socket: AuditSocket, request: Request): Promise<NetlinkMessage[]> {
  const exchange = start(socket, request);
  const deadline = Date.now() + request.timeoutMs;
  drain(socket, exchange);
  while (!exchange.done) {
    const left = deadline - Date.now();
    if (left <= 0) throw exchange.timeout();
    if (await socket.waitReadable(Math.min(left, 250))) drain(socket, exchange);
  }
  return exchange.result();
}

/** Sends a request and blocks this thread until the answer (for shutdown paths and worker threads). */
export function transactSync(socket: AuditSocket, request: Request): NetlinkMessage[] {
  const exchange = start(socket, request);
  const deadline = Date.now() + request.timeoutMs;
  drain(socket, exchange);
  while (!exchange.done) {
    const left = deadline - Date.now();
    if (left <= 0) throw exchange.timeout();
    if (socket.waitReadableSync(left)) drain(socket, exchange);
  }
  return exchange.result();
}
