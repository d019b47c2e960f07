/**
 * One request/reply exchange with a Thrift peer on a UNIX socket: connect, write the encoded call, read until the
 * reply message is complete, close. A connection per call, as the SDKs' single-threaded servers (osquery-python's
 * TSimpleServer) serve one connection at a time until it closes. Bounded in time and in reply size.
 */
import { connect } from 'node:net';
import { MessageFramer, MessageTooLarge, ProtocolViolation } from './message-framing.js';

export interface ExchangeOptions {
  readonly timeoutMs: number;
  /** Most bytes the reply may have. */
  readonly maxReplyBytes: number;
}

/** Why an exchange failed, in words a log line or a query error can carry. */
export class ExchangeError extends Error {
  constructor(
    message: string,
    /** 'unreachable': nothing listens there (the peer is gone). */
    readonly reason: 'unreachable' | 'timeout' | 'too-large' | 'protocol' | 'closed',
  ) {
    super(message);
    this.name = 'ExchangeError';
  }
}

export function exchange(socketPath: string, request: Buffer, options: ExchangeOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const framer = new MessageFramer(options.maxReplyBytes);
    let settled = false;
    const socket = connect(socketPath);
    const finish = (error: ExchangeError | undefined, reply?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply!);
    };
    const timer = setTimeout(
      () => finish(new ExchangeError(`no answer within ${options.timeoutMs} ms`, 'timeout')),
      options.timeoutMs,
    );
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      try {
        const [reply] = framer.push(chunk);
        if (reply) finish(undefined, reply);
      } catch (error) {
        if (error instanceof MessageTooLarge) finish(new ExchangeError(`its answer is larger than ${options.maxReplyBytes} bytes`, 'too-large'));
        else if (error instanceof ProtocolViolation) finish(new ExchangeError(`it answered something that is not Thrift's binary protocol: ${error.message}`, 'protocol'));
        else finish(new ExchangeError(String((error as Error)?.message ?? error), 'protocol'));
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const unreachable = error.code === 'ENOENT' || error.code === 'ECONNREFUSED' || error.code === 'ENOTSOCK';
      finish(new ExchangeError(`${error.message}`, unreachable ? 'unreachable' : 'closed'));
    });
    socket.on('close', () => finish(new ExchangeError('the connection closed before a complete answer', 'closed')));
  });
}
