/**
 * Result logger plugins (--logger_plugin, comma-separated): `filesystem` appends to osqueryd.results.log and
 * osqueryd.snapshots.log under --logger_path; `stdout` prints each line; `syslog` sends each line to the syslog
 * daemon (syslog-logger.ts). Files are created with --logger_mode
 * (osquery's default 0640) — Quarry uses 0600 unless --logger_mode was set explicitly, since results may carry
 * secrets from a root agent. Writes are synchronous appends: a line is on disk before the scheduler commits
 * the event cursor it came from. With --logger_rotate each file is rotated by size (see log-rotation.ts: rotated
 * files stay uncompressed, X.1, X.2, ..., where osquery zstd-compresses X.2 and older).
 */
import { join } from 'node:path';
import { ensurePrivateDirectory } from '../store/open-store.js';
import { RotatingLogFile, type RotationPolicy } from './log-rotation.js';
import type { SyslogClient } from '../logging/syslog-client.js';
import { SyslogLogger } from './syslog-logger.js';

export interface ResultLogger {
  readonly name: string;
  logString(line: string): void;
  logSnapshot(line: string): void;
  flush(): void;
  close(): void;
}

export const KNOWN_LOGGER_PLUGINS = ['filesystem', 'stdout', 'syslog', 'tls'];

export class FilesystemLogger implements ResultLogger {
  readonly name = 'filesystem';
  private readonly results: RotatingLogFile;
  private readonly snapshots: RotatingLogFile;

  /** Without `rotation` the files grow without limit (osquery's default, --logger_rotate=false). */
  constructor(directory: string, mode: number, rotation?: RotationPolicy) {
    try {
      ensurePrivateDirectory(directory);
      this.results = new RotatingLogFile(join(directory, 'osqueryd.results.log'), mode, rotation);
      this.snapshots = new RotatingLogFile(join(directory, 'osqueryd.snapshots.log'), mode, rotation);
    } catch (error) {
      throw new Error(
        `--logger_path ${directory} cannot hold the results log (${(error as Error).message}): choose a writable directory with --logger_path, or another --logger_plugin (stdout)`,
      );
    }
  }

  logString(line: string): void {
    this.results.write(line);
  }

  logSnapshot(line: string): void {
    this.snapshots.write(line);
  }

  flush(): void {
    this.results.sync();
    this.snapshots.sync();
  }

  close(): void {
    this.results.close();
    this.snapshots.close();
  }
}

export class StdoutLogger implements ResultLogger {
  readonly name = 'stdout';
  logString(line: string): void {
    process.stdout.write(`${line}\n`);
  }
  logSnapshot(line: string): void {
    process.stdout.write(`${line}\n`);
  }
  flush(): void {}
  close(): void {}
}

/** What the `syslog` plugin needs: the client the status log opened, --logger_syslog_prepend_cee, a status warning. */
export interface SyslogPluginOptions {
  client: SyslogClient;
  prependCee: boolean;
  warn: (text: string) => void;
}

/**
 * Builds the loggers --logger_plugin names; unknown names throw naming the known ones. `built` holds plugins made
 * elsewhere (the tls logger, from @quarry/fleet), by name.
 */
export function createResultLoggers(plugins: string, directory: string, mode: number, rotation?: RotationPolicy, syslog?: SyslogPluginOptions, built: Record<string, ResultLogger> = {}): ResultLogger[] {
  const names = plugins.split(',').map((name) => name.trim()).filter(Boolean);
  const loggers: ResultLogger[] = [];
  for (const name of names) {
    const ready = built[name];
    if (ready) loggers.push(ready);
    else if (name === 'filesystem') loggers.push(new FilesystemLogger(directory, mode, rotation));
    else if (name === 'stdout') loggers.push(new StdoutLogger());
    else if (name === 'syslog') {
      if (!syslog) throw new Error('--logger_plugin syslog needs the syslog client (quarryd opens it with the status log)');
      loggers.push(new SyslogLogger(syslog.client, { prependCee: syslog.prependCee, warn: syslog.warn }));
    }
    else throw new Error(`--logger_plugin ${name} is not available in quarryd; use one or more of: ${KNOWN_LOGGER_PLUGINS.join(',')}, or an extension's logger plugin (with extensions enabled: --disable_extensions=false)`);
  }
  return loggers;
}

/**
 * Fans a line out to every logger. A logger that fails does not keep the line from the others (syslog down must not
 * starve the filesystem log). flush(), which the scheduler calls before it commits, throws only when **no** logger
 * took the batch: then nothing holds the lines, the run is not committed and the next run logs them again. When at
 * least one logger took it, the run commits — re-logging would write every line twice into the loggers that worked —
 * and the loggers that failed lose that batch: `onLoggerFailure` is told when a logger starts failing (once per
 * outage, not per run), and `onLoggerRecovered` when it works again.
 */
export class ResultSink {
  private readonly failures = new Map<ResultLogger, unknown>();
  private readonly failing = new Set<ResultLogger>();

  constructor(
    private readonly loggers: ResultLogger[],
    private readonly events: {
      onLoggerFailure?: (logger: string, error: unknown) => void;
      onLoggerRecovered?: (logger: string) => void;
    } = {},
  ) {}

  logString(line: string): void {
    for (const logger of this.loggers) this.attempt(logger, () => logger.logString(line));
  }

  logSnapshot(line: string): void {
    for (const logger of this.loggers) this.attempt(logger, () => logger.logSnapshot(line));
  }

  flush(): void {
    for (const logger of this.loggers) this.attempt(logger, () => logger.flush());
    const failures = new Map(this.failures);
    this.failures.clear();
    for (const logger of this.loggers) {
      if (failures.has(logger) && !this.failing.has(logger)) {
        this.failing.add(logger);
        this.events.onLoggerFailure?.(logger.name, failures.get(logger));
      } else if (!failures.has(logger) && this.failing.delete(logger)) {
        this.events.onLoggerRecovered?.(logger.name);
      }
    }
    if (failures.size > 0 && failures.size === this.loggers.length) throw failures.values().next().value;
  }

  private attempt(logger: ResultLogger, write: () => void): void {
    if (this.failures.has(logger)) return; // this batch already failed there: one error per logger and batch
    try {
      write();
    } catch (error) {
      this.failures.set(logger, error);
    }
  }

  close(): void {
    for (const logger of this.loggers) logger.close();
  }
}
