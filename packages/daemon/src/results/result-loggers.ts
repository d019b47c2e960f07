/**
 * Result logger plugins (--logger_plugin, comma-separated): `filesystem` appends to osqueryd.results.log and
 * osqueryd.snapshots.log under --logger_path; `stdout` prints each line. Files are created with --logger_mode
 * (osquery's default 0640) — Quarry uses 0600 unless --logger_mode was set explicitly, since results may carry
 * secrets from a root agent. Writes are synchronous appends: a line is on disk before the scheduler commits
 * the event cursor it came from.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDirectory } from '../store/open-store.js';

export interface ResultLogger {
  readonly name: string;
  logString(line: string): void;
  logSnapshot(line: string): void;
  flush(): void;
  close(): void;
}

export const KNOWN_LOGGER_PLUGINS = ['filesystem', 'stdout'];

class AppendFile {
  private fd: number;

  constructor(
    readonly path: string,
    mode: number,
  ) {
    const existed = existsSync(path);
    this.fd = openSync(path, 'a', mode);
    if (!existed) chmodSync(path, mode);
  }

  write(line: string): void {
    writeSync(this.fd, `${line}\n`);
  }

  sync(): void {
    try {
      fsyncSync(this.fd);
    } catch {
      // best effort
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}

export class FilesystemLogger implements ResultLogger {
  readonly name = 'filesystem';
  private readonly results: AppendFile;
  private readonly snapshots: AppendFile;

  constructor(directory: string, mode: number) {
    ensurePrivateDirectory(directory);
    this.results = new AppendFile(join(directory, 'osqueryd.results.log'), mode);
    this.snapshots = new AppendFile(join(directory, 'osqueryd.snapshots.log'), mode);
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
export function createResultLoggers(plugins: string, directory: string, mode: number): ResultLogger[] {
  const names = plugins.split(',').map((name) => name.trim()).filter(Boolean);
  const loggers: ResultLogger[] = [];
  for (const name of names) {
    if (name === 'filesystem') loggers.push(new FilesystemLogger(directory, mode));
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
