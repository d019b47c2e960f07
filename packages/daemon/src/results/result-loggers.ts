/**
 * Result logger plugins (--logger_plugin, comma-separated): `filesystem` appends to osqueryd.results.log and
 * osqueryd.snapshots.log under --logger_path; `stdout` prints each line. Files are created with --logger_mode
 * (osquery's default 0640) — Quarry uses 0600 unless --logger_mode was set explicitly, since results may carry
 * secrets from a root agent. Writes are synchronous appends: a line is on disk before the scheduler commits
 * the event cursor it came from. With --logger_rotate each file is rotated by size (see log-rotation.ts: rotated
 * files stay uncompressed, X.1, X.2, ..., where osquery zstd-compresses X.2 and older).
 */
import { join } from 'node:path';
import { ensurePrivateDirectory } from '../store/open-store.js';
import { RotatingLogFile, type RotationPolicy } from './log-rotation.js';

export interface ResultLogger {
  readonly name: string;
  logString(line: string): void;
  logSnapshot(line: string): void;
  flush(): void;
  close(): void;
}

export const KNOWN_LOGGER_PLUGINS = ['filesystem', 'stdout'];

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

/** Builds the loggers --logger_plugin names; unknown names throw naming the known ones. */
export function createResultLoggers(plugins: string, directory: string, mode: number, rotation?: RotationPolicy): ResultLogger[] {
  const names = plugins.split(',').map((name) => name.trim()).filter(Boolean);
  const loggers: ResultLogger[] = [];
  for (const name of names) {
    if (name === 'filesystem') loggers.push(new FilesystemLogger(directory, mode, rotation));
    else if (name === 'stdout') loggers.push(new StdoutLogger());
    else throw new Error(`--logger_plugin ${name} is not available in quarryd; use one or more of: ${KNOWN_LOGGER_PLUGINS.join(',')}`);
  }
  return loggers;
}

/** Fans a line out to every logger. */
export class ResultSink {
  constructor(private readonly loggers: ResultLogger[]) {}
  logString(line: string): void {
    for (const logger of this.loggers) logger.logString(line);
  }
  logSnapshot(line: string): void {
    for (const logger of this.loggers) logger.logSnapshot(line);
  }
  flush(): void {
    for (const logger of this.loggers) logger.flush();
  }
  close(): void {
    for (const logger of this.loggers) logger.close();
  }
}
