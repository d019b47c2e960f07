/**
 * The `syslog` result logger plugin (--logger_plugin=syslog, alone or with others): each result or snapshot line is
 * one syslog message at LOG_INFO with --logger_syslog_facility (default 19 = local3), tag `quarryd[pid]`, prefixed
 * with `@cee:` when --logger_syslog_prepend_cee. Quarry sends to the Unix datagram socket --logger_syslog_socket
 * (default /dev/log) itself (logging/syslog-client.ts), not through glibc's syslog(3).
 *
 * A line the syslog socket did not accept (daemon missing, restarting or not keeping up) makes logString throw; the
 * ResultSink then decides: with another logger that took the batch (filesystem,syslog) the run commits and syslog
 * misses it (reported once per outage), with syslog alone the run is not committed and the next run logs its
 * differences again. A line larger than one datagram can carry
 * is not sent (it would be refused or truncated): a status warning names the query and the size, and the line
 * still reaches the other loggers (filesystem). Status lines also go to syslog through the same client
 * (status-log.ts), with osquery's severities.
 */
import { SyslogSeverity } from '../logging/syslog-frame.js';
import type { SyslogClient } from '../logging/syslog-client.js';
import type { ResultLogger } from './result-loggers.js';

export interface SyslogLoggerOptions {
  /** --logger_syslog_prepend_cee: prefix every line with `@cee:` (for CEE-aware syslog daemons). */
  prependCee: boolean;
  /** Status warning for a line that was not sent because it is too large. */
  warn: (text: string) => void;
}

/** The query name of a result line (for messages), or `?` when the line is not JSON with a name. */
function queryNameOf(line: string): string {
  try {
    const parsed = JSON.parse(line) as { name?: unknown };
    return typeof parsed.name === 'string' ? parsed.name : '?';
  } catch {
    return '?';
  }
}

export class SyslogLogger implements ResultLogger {
  readonly name = 'syslog';

  constructor(
    private readonly client: SyslogClient,
    private readonly options: SyslogLoggerOptions,
  ) {}

  logString(line: string): void {
    this.deliver(line);
  }

  /** osquery's syslog plugin logs snapshots as it logs results (logSnapshot defaults to logString). */
  logSnapshot(line: string): void {
    this.deliver(line);
  }

  private deliver(line: string): void {
    const outcome = this.client.send(SyslogSeverity.info, this.options.prependCee ? `@cee:${line}` : line);
    if (outcome.kind === 'sent') return;
    if (outcome.kind === 'too-large') {
      this.options.warn(
        `syslog logger: a result line of scheduled query ${queryNameOf(line)} is ${outcome.bytes} bytes as a syslog message, ` +
          `more than the socket ${this.client.socketPath} takes in one datagram (${outcome.limit} bytes): it was not sent to syslog ` +
          `(the other --logger_plugin loggers, e.g. filesystem, have it; raise net.core.wmem_max or make the query return less)`,
      );
      return;
    }
    throw new Error(`syslog: ${outcome.reason}`);
  }

  /** A datagram the socket accepted is already in the syslog daemon's queue: nothing to flush. */
  flush(): void {}

  /** The client is shared with the status log, which closes it last. */
  close(): void {}
}
