/**
 * osqueryd's status log files in --logger_path, as glog writes them when the filesystem logger plugin is on:
 *
 *   osqueryd.INFO.<YYYYMMDD-HHMMSS>.<pid>     every status line (INFO and above)
 *   osqueryd.WARNING.<YYYYMMDD-HHMMSS>.<pid>  WARNING and above
 *   osqueryd.ERROR.<YYYYMMDD-HHMMSS>.<pid>    ERROR and above
 *   osqueryd.INFO -> osqueryd.INFO.<...>      symlinks (relative) to the newest file of each severity
 *
 * As glog does, a severity's file is created when its first line arrives (a run without warnings has no WARNING
 * file), its name carries the local time it was created and the process id, and it starts with glog's header.
 * Files are created with the logger's mode (Quarry: 0600 unless --logger_mode). Writes are synchronous appends.
 */
import { closeSync, existsSync, fchmodSync, openSync, renameSync, rmSync, symlinkSync, writeSync, accessSync, constants, lstatSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { ensurePrivateDirectory } from '../store/open-store.js';

/** glog's file severities in order; a line of severity s goes to every file whose index is <= s. */
export const STATUS_FILE_SEVERITIES = ['INFO', 'WARNING', 'ERROR'] as const;

function two(value: number): string {
  return String(value).padStart(2, '0');
}

/** `YYYYMMDD-HHMMSS` in local time, as in glog's file names. */
export function glogFileTimestamp(at: Date): string {
  return `${at.getFullYear()}${two(at.getMonth() + 1)}${two(at.getDate())}-${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}`;
}

function glogHeader(at: Date, host: string): string {
  const created = `${at.getFullYear()}/${two(at.getMonth() + 1)}/${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
  return `Log file created at: ${created}\nRunning on machine: ${host}\nLog line format: [IWEF]mmdd hh:mm:ss.uuuuuu threadid file:line] msg\n`;
}

export interface GlogStatusFilesOptions {
  /** The program name the files carry (osquery: `osqueryd`). */
  program?: string;
  pid?: number;
  host?: string;
}

export class GlogStatusFiles {
  private readonly fds: Array<number | undefined> = [undefined, undefined, undefined];
  private readonly program: string;
  private readonly pid: number;
  private readonly host: string;

  private constructor(
    readonly directory: string,
    private readonly mode: number,
    options: GlogStatusFilesOptions,
  ) {
    this.program = options.program ?? 'osqueryd';
    this.pid = options.pid ?? process.pid;
    this.host = options.host ?? hostname();
  }

  /**
   * Status files in `directory` (created 0700 when missing). Throws an Error saying why when the directory cannot
   * be created or written: the caller then sends status lines to stderr, as osquery does.
   */
  static open(directory: string, mode: number, options: GlogStatusFilesOptions = {}): GlogStatusFiles {
    const absolute = resolve(directory);
    try {
      ensurePrivateDirectory(absolute);
      accessSync(absolute, constants.W_OK | constants.X_OK);
      if (!lstatSync(absolute).isDirectory()) throw new Error('not a directory');
    } catch (error) {
      throw new Error(`--logger_path ${absolute} is not a writable directory (${(error as Error).message})`);
    }
    return new GlogStatusFiles(absolute, mode, options);
  }

  /** The symlink naming the newest file of a severity, e.g. `<dir>/osqueryd.WARNING`. */
  linkPath(severity: (typeof STATUS_FILE_SEVERITIES)[number]): string {
    return join(this.directory, `${this.program}.${severity}`);
  }

  /** Appends a formatted status line (with its newline) to the files of `level` and below. Throws on a failed write. */
  write(level: number, line: string): void {
    const data = Buffer.from(line, 'utf8');
    const top = Math.min(Math.max(level, 0), STATUS_FILE_SEVERITIES.length - 1);
    for (let index = 0; index <= top; index++) {
      const fd = this.fds[index] ?? this.create(index);
      let offset = 0;
      while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
    }
  }

  private create(index: number): number {
    const severity = STATUS_FILE_SEVERITIES[index]!;
    const now = new Date();
    const name = `${this.program}.${severity}.${glogFileTimestamp(now)}.${this.pid}`;
    const path = join(this.directory, name);
    const existed = existsSync(path);
    const fd = openSync(path, 'a', this.mode);
    if (!existed) fchmodSync(fd, this.mode);
    this.fds[index] = fd;
    const header = Buffer.from(glogHeader(now, this.host), 'utf8');
    writeSync(fd, header);
    this.pointLink(this.linkPath(severity), name);
    return fd;
  }

  /** Points `link` at `target` (a name in the same directory): a new symlink renamed over the old one. */
  private pointLink(link: string, target: string): void {
    const temporary = `${link}.${this.pid}.tmp`;
    rmSync(temporary, { force: true });
    symlinkSync(target, temporary);
    renameSync(temporary, link);
  }

  close(): void {
    for (let index = 0; index < this.fds.length; index++) {
      const fd = this.fds[index];
      if (fd === undefined) continue;
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      this.fds[index] = undefined;
    }
  }
}
