/**
 * quarryd's connection to the local syslog daemon: frames each message as glibc's syslog(3) does
 * (syslog-frame.ts) and sends it as one datagram to --logger_syslog_socket (default /dev/log).
 *
 * Failures never throw and never block for long:
 * - the daemon's queue full: send waits for room at most `sendWaitMs`, then the line fails;
 * - the socket missing or the daemon gone (restarting): the line fails, the socket is closed and quarryd reconnects
 *   with a bounded backoff (first after `retryFirstMs`, doubling up to `retryMaxMs`), not on every line; a socket
 *   that broke while connected is reconnected at once, once, so a daemon restart that already finished costs no line;
 * - one warning per outage (`onWarning`), one note when it ends (`onInfo`) with the number of lines not sent;
 * - a message larger than one datagram can carry (EMSGSIZE) is reported to the caller as 'too-large'.
 */
import { frameSyslogMessage, type SyslogSeverityValue } from './syslog-frame.js';
import { EAGAIN, EMSGSIZE, errnoName, UnixDatagramSocket, UnixSocketError } from './unix-datagram-socket.js';

export interface SyslogClientOptions {
  /** The syslog daemon's Unix datagram socket (--logger_syslog_socket). */
  socketPath: string;
  /** --logger_syslog_facility (0-23). */
  facility: number;
  /** The tag, osquery's openlog() ident: the binary name. */
  ident: string;
  pid?: number;
  /** How long one send may wait for room in a full queue (default 1000 ms). */
  sendWaitMs?: number;
  /** First reconnect delay after a failure (default 500 ms); doubles up to `retryMaxMs` (default 10 s). */
  retryFirstMs?: number;
  retryMaxMs?: number;
  /** SO_SNDBUF asked for, which bounds one datagram (default 1 MiB; the kernel caps it at net.core.wmem_max). */
  sendBufferBytes?: number;
  onWarning?: (text: string) => void;
  onInfo?: (text: string) => void;
}

export type SyslogSendOutcome =
  | { kind: 'sent' }
  | { kind: 'too-large'; bytes: number; limit: number }
  | { kind: 'unavailable'; reason: string };

export interface SyslogCounters {
  /** Datagrams the daemon's socket accepted. */
  sent: number;
  /** Lines not sent because the socket could not be reached or was full. */
  unsent: number;
  /** Lines larger than one datagram (not sent). */
  tooLarge: number;
  /** Outages begun (one warning each). */
  outages: number;
}

/** Errors that mean "the daemon's socket is gone or was replaced": worth one immediate reconnect. */
const RECONNECTABLE = new Set(['ECONNREFUSED', 'ENOTCONN', 'ECONNRESET', 'EPIPE', 'ENOENT', 'EBADF', 'EDESTADDRREQ']);

export class SyslogClient {
  readonly counters: SyslogCounters = { sent: 0, unsent: 0, tooLarge: 0, outages: 0 };
  private socket: UnixDatagramSocket | undefined;
  private outage: { since: number; reason: string; unsent: number } | undefined;
  private retryDelayMs: number;
  private nextAttemptAt = 0;
  private closed = false;
  private readonly pid: number;
  private readonly sendWaitMs: number;
  private readonly retryFirstMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly options: SyslogClientOptions) {
    this.pid = options.pid ?? process.pid;
    this.sendWaitMs = options.sendWaitMs ?? 1000;
    this.retryFirstMs = options.retryFirstMs ?? 500;
    this.retryMaxMs = options.retryMaxMs ?? 10_000;
    this.retryDelayMs = this.retryFirstMs;
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  /** Whether the last attempt failed and the socket has not been reached since. */
  get inOutage(): boolean {
    return this.outage !== undefined;
  }

  /** Connects now (at start), so a missing socket is reported at once rather than with the first line. */
  connectNow(): void {
    if (!this.socket && !this.closed) this.tryConnect();
  }

  /** Sends one message at `severity`. Never throws for socket trouble; the outcome says what happened. */
  send(severity: SyslogSeverityValue, message: string): SyslogSendOutcome {
    if (this.closed) return this.fail('the syslog client is closed (quarryd is stopping)', false);
    const datagram = Buffer.from(
      frameSyslogMessage({ facility: this.options.facility, severity, ident: this.options.ident, pid: this.pid, message }),
      'utf8',
    );
    if (!this.socket) {
      if (Date.now() < this.nextAttemptAt) return this.fail(this.outage?.reason ?? 'not connected', false);
      if (!this.tryConnect()) return this.fail(this.outage?.reason ?? 'not connected', false);
    }
    let result = this.socket!.send(datagram, this.sendWaitMs);
    if (!result.ok && result.errno === EMSGSIZE) return this.tooLarge(datagram.length);
    if (!result.ok && RECONNECTABLE.has(errnoName(result.errno)) && !this.outage) {
      // The daemon restarted (its socket was replaced) or went away: one immediate reconnect and resend.
      this.dropSocket();
      if (this.tryConnect()) {
        result = this.socket!.send(datagram, this.sendWaitMs);
        if (!result.ok && result.errno === EMSGSIZE) return this.tooLarge(datagram.length);
      }
    }
    if (result.ok) {
      this.counters.sent++;
      if (this.outage) this.recovered();
      return { kind: 'sent' };
    }
    if (!this.socket) return this.fail(this.outage?.reason ?? 'not connected', false);
    const reason =
      result.errno === EAGAIN
        ? `the syslog daemon at ${this.options.socketPath} did not take a line within ${this.sendWaitMs} ms (its queue is full)`
        : `sending to ${this.options.socketPath} failed (${errnoName(result.errno)})`;
    this.dropSocket();
    return this.fail(reason, true);
  }

  close(): void {
    this.closed = true;
    this.dropSocket();
  }

  private tooLarge(bytes: number): SyslogSendOutcome {
    this.counters.tooLarge++;
    // A datagram must fit the socket's send buffer less the kernel's own overhead.
    return { kind: 'too-large', bytes, limit: Math.max(0, (this.socket?.sendBufferBytes ?? 0) - 32) };
  }

  /** Opens and connects the socket; on failure starts (or extends) an outage. */
  private tryConnect(): boolean {
    try {
      this.socket = UnixDatagramSocket.connect(this.options.socketPath, this.options.sendBufferBytes ?? 1 << 20);
      return true;
    } catch (error) {
      const code = error instanceof UnixSocketError ? error.code : '';
      const reason =
        code === 'ENOENT'
          ? `the syslog socket ${this.options.socketPath} does not exist (is a syslog daemon running? set --logger_syslog_socket to its socket)`
          : code === 'ECONNREFUSED'
            ? `nothing listens on the syslog socket ${this.options.socketPath} (the syslog daemon stopped or is restarting)`
            : (error as Error).message;
      this.startOrExtendOutage(reason);
      return false;
    }
  }

  private dropSocket(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private fail(reason: string, newFailure: boolean): SyslogSendOutcome {
    if (newFailure) this.startOrExtendOutage(reason);
    this.counters.unsent++;
    if (this.outage) this.outage.unsent++;
    return { kind: 'unavailable', reason };
  }

  private startOrExtendOutage(reason: string): void {
    const now = Date.now();
    if (this.outage) {
      this.outage.reason = reason;
      this.retryDelayMs = Math.min(this.retryMaxMs, this.retryDelayMs * 2);
      this.nextAttemptAt = now + this.retryDelayMs;
      return;
    }
    this.retryDelayMs = this.retryFirstMs;
    this.nextAttemptAt = now + this.retryDelayMs;
    this.outage = { since: now, reason, unsent: 0 };
    this.counters.outages++;
    // State is settled before the callback: the warning itself goes through send() (status lines) and must find
    // the outage already begun, so it is counted, not warned about again.
    this.options.onWarning?.(
      `syslog logger: ${reason}; results and status lines are not sent to syslog until it can be reached again ` +
        `(quarryd retries after ${this.retryFirstMs} ms, then at most every ${Math.round(this.retryMaxMs / 1000)} s, and counts the lines it could not send)`,
    );
  }

  private recovered(): void {
    const outage = this.outage!;
    this.outage = undefined;
    this.retryDelayMs = this.retryFirstMs;
    this.nextAttemptAt = 0;
    const seconds = ((Date.now() - outage.since) / 1000).toFixed(1);
    this.options.onInfo?.(
      `syslog logger: ${this.options.socketPath} can be reached again after ${seconds} s; ${outage.unsent} line(s) could not be sent to syslog during the outage`,
    );
  }
}
