/**
 * quarryd's status log: glog-style lines as osqueryd writes them
 * (`I1127 22:30:00.123456 1234 scheduler.ts] message`), severity 0 INFO, 1 WARNING, 2 ERROR, 3 FATAL.
 *
 * Where a line goes (createStatusLog reads the flags):
 * - the glog files in --logger_path (osqueryd.INFO.<time>.<pid>, .WARNING, .ERROR and their symlinks) when the
 *   filesystem logger plugin is on and --disable_logging is false, for severity >= --logger_min_status;
 * - stderr when --logger_stderr is true (osquery's default), for severity >= --logger_min_stderr and
 *   >= --logger_min_status (osquery's glog minimum level drops a line everywhere);
 * - a FATAL line (quarryd cannot start) always reaches stderr, as osquery keeps glog's FATAL threshold on stderr
 *   when --logger_stderr=false;
 * - when --logger_path cannot be written, the lines meant for the files go to stderr instead (osquery's fallback),
 *   so status logs are never dropped silently;
 * - syslog, when the syslog logger plugin is on and --disable_logging is false, for severity >= --logger_min_status,
 *   as osquery's syslog plugin logs them: `severity=N location=SOURCE message=TEXT` with INFO/WARNING/ERROR/FATAL
 *   at LOG_NOTICE/LOG_WARNING/LOG_ERR/LOG_CRIT (logging/syslog-client.ts; the result lines share its socket).
 * --verbose adds the verbose INFO lines. It satisfies the events runtime's logger interface (pino-like).
 */
import { resolve } from 'node:path';
import type { Flags } from '@quarry/config';
import { glogLine, type GlogSeverity } from '@quarry/events/glog';
import { GlogStatusFiles } from './logging/glog-files.js';
import { SyslogClient } from './logging/syslog-client.js';
import { checkedFacility, statusMessage, statusSeverity } from './logging/syslog-frame.js';
import { rotationPolicyFromFlags } from './results/log-rotation.js';

export type Severity = 0 | 1 | 2 | 3;
const GLOG_SEVERITIES = ['I', 'W', 'E', 'F'] as const;

export interface StatusLogRouting {
  /** --logger_stderr (default true). */
  stderr?: boolean;
  /** --logger_min_status: lines below it are dropped everywhere (default 0). */
  minStatus?: number;
  /** The glog status files, when the filesystem plugin is on. */
  files?: GlogStatusFiles;
  /** --logger_path could not be written: lines meant for the files go to stderr. */
  filesFallbackToStderr?: boolean;
  /** The syslog client, when the syslog logger plugin is on: every line also goes to syslog. */
  syslog?: SyslogClient;
}

export class StatusLog {
  private files: GlogStatusFiles | undefined;
  private filesFallback: boolean;
  private readonly stderrEnabled: boolean;
  private readonly minStatus: number;
  /** The syslog client status lines go to (shared with the syslog result logger), when that plugin is on. */
  readonly syslog: SyslogClient | undefined;

  /**
   * `minStderr` is --logger_min_stderr; `write` receives the stderr lines. Without `routing`, every line at or
   * above `minStderr` goes to `write` only (the form tests and embedders use).
   */
  constructor(
    private readonly minStderr: number,
    private readonly verbose: boolean,
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
    routing: StatusLogRouting = {},
  ) {
    this.files = routing.files;
    this.filesFallback = routing.filesFallbackToStderr ?? false;
    this.stderrEnabled = routing.stderr ?? true;
    this.minStatus = routing.minStatus ?? 0;
    this.syslog = routing.syslog;
  }

  /** Whether a line of `severity` is shown on stderr (quarryd prints its start banner only when INFO is). */
  showsOnStderr(severity: Severity): boolean {
    if (severity === 3) return true;
    return this.stderrEnabled && severity >= this.minStderr && severity >= this.minStatus;
  }

  private emit(severity: Severity | -1, source: string, text: string): void {
    if (severity === -1 && !this.verbose) return;
    const level: Severity = severity === -1 ? 0 : severity;
    if (level < this.minStatus && level < 3) return;
    const line = this.format(level, source, text);
    let onStderr = this.showsOnStderr(level);
    if (this.files) {
      try {
        this.files.write(level, line);
      } catch (error) {
        // A full disk or a removed directory must not stop the agent: from here on the file lines go to stderr.
        this.files.close();
        this.files = undefined;
        this.filesFallback = true;
        this.write(this.format(1, 'quarryd', `Status log files stopped (${(error as Error).message}); status logs go to stderr`));
      }
    }
    if (!this.files && this.filesFallback) onStderr = true;
    if (onStderr) this.write(line);
    // Never throws: a syslog outage is warned about once by the client and counted.
    this.syslog?.send(statusSeverity(level), statusMessage(level, source, text));
    for (const tap of this.taps) tap(level, source, text);
  }

  private readonly taps: Array<(severity: Severity, source: string, text: string) => void> = [];
  /** Another status log plugin (the tls logger) receives every line recorded (>= --logger_min_status) from now on. */
  addTap(tap: (severity: Severity, source: string, text: string) => void): void {
    this.taps.push(tap);
  }

  private format(level: Severity, source: string, text: string): string {
    const line = glogLine(level === 3 ? 'E' : (GLOG_SEVERITIES[level] as GlogSeverity), source, text);
    return level === 3 ? `F${line.slice(1)}` : line;
  }

  info(text: string, source = 'quarryd'): void {
    this.emit(0, source, text);
  }
  warning(text: string, source = 'quarryd'): void {
    this.emit(1, source, text);
  }
  error(text: string, source = 'quarryd'): void {
    this.emit(2, source, text);
  }
  /** A line saying why quarryd cannot go on (glog FATAL): written to stderr whatever the flags, and to the files. */
  fatal(text: string, source = 'quarryd'): void {
    this.emit(3, source, text);
  }
  verboseInfo(text: string, source = 'quarryd'): void {
    this.emit(-1, source, text);
  }

  close(): void {
    this.files?.close();
    this.syslog?.close();
  }

  /** The pino-shaped logger the events runtime and publishers take. */
  eventLogger(): {
    debug(o: object | string, m?: string): void;
    info(o: object | string, m?: string): void;
    warn(o: object | string, m?: string): void;
    error(o: object | string, m?: string): void;
  } {
    const text = (o: object | string, m?: string): string => {
      if (typeof o === 'string') return o;
      const extra = Object.keys(o).length > 0 ? ` ${JSON.stringify(o)}` : '';
      return `${m ?? ''}${extra}`;
    };
    return {
      debug: (o, m) => this.verboseInfo(text(o, m), 'events'),
      info: (o, m) => this.info(text(o, m), 'events'),
      warn: (o, m) => this.warning(text(o, m), 'events'),
      error: (o, m) => this.error(text(o, m), 'events'),
    };
  }
}

/** The mode of the log files quarryd creates: --logger_mode when set, else 0600 (osquery's default is 0640). */
export function loggerFileMode(flags: Flags): number {
  return flags.isDefault('logger_mode') ? 0o600 : flags.number('logger_mode');
}

/**
 * quarryd's status log from its flags (see the top of this file). Throws an Error naming the flag for logging
 * flags that cannot work (--logger_rotate_size=0 with --logger_rotate), before anything is started.
 */
export function createStatusLog(flags: Flags, write?: (line: string) => void): StatusLog {
  rotationPolicyFromFlags({ rotate: flags.bool('logger_rotate'), size: flags.number('logger_rotate_size'), maxFiles: flags.number('logger_rotate_max_files') });
  const plugins = flags.string('logger_plugin').split(',').map((name) => name.trim());
  const wantsFiles = !flags.bool('disable_logging') && plugins.includes('filesystem');
  const wantsSyslog = !flags.bool('disable_logging') && plugins.includes('syslog');
  let files: GlogStatusFiles | undefined;
  let unwritable = '';
  if (wantsFiles) {
    try {
      files = GlogStatusFiles.open(resolve(flags.string('logger_path')), loggerFileMode(flags));
    } catch (error) {
      unwritable = (error as Error).message;
    }
  }
  // The client reports its outages through the status log it feeds (bound once the log exists).
  let log: StatusLog | undefined;
  const syslog = wantsSyslog
    ? new SyslogClient({
        socketPath: flags.string('logger_syslog_socket'),
        facility: checkedFacility(flags.number('logger_syslog_facility')),
        ident: 'quarryd',
        onWarning: (text) => log?.warning(text, 'syslog'),
        onInfo: (text) => log?.info(text, 'syslog'),
      })
    : undefined;
  log = new StatusLog(flags.number('logger_min_stderr'), flags.bool('verbose'), write, {
    stderr: flags.bool('logger_stderr'),
    minStatus: flags.number('logger_min_status'),
    ...(files ? { files } : {}),
    filesFallbackToStderr: unwritable !== '',
    ...(syslog ? { syslog } : {}),
  });
  if (unwritable) log.warning(`${unwritable}: status logs go to stderr`);
  syslog?.connectNow();
  return log;
}
