/**
 * A real rsyslogd for tests and the bin/ publisher test: its own config in a temp dir (imuxsock on a temp socket, ompipe
 * into Quarry's FIFO with osquery's OsqueryCsvFormat template), fed by util-linux `logger --socket`. The system's
 * syslog and /dev/log are never touched. scripts/ensure-rsyslog.sh installs rsyslogd and logger.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../daemon/quarryd-process.js';

export const TEMPLATE =
  '%timestamp:::date-rfc3339,csv%,%hostname:::csv%,%syslogseverity:::csv%,%syslogfacility-text:::csv%,%syslogtag:::csv%,%msg:::csv%\\n';

/** A real rsyslogd with its own config: imuxsock on `socket`, everything to `pipe` with osquery's template. */
export class Rsyslogd {
  private child: ChildProcess | undefined;
  readonly socket: string;
  private readonly conf: string;
  private readonly pidfile: string;
  stderr = '';

  constructor(dir: string, pipe: string) {
    this.socket = join(dir, 'log');
    this.conf = join(dir, 'rsyslog.conf');
    this.pidfile = join(dir, 'rsyslogd.pid');
    const work = join(dir, 'work');
    mkdirSync(work, { recursive: true });
    writeFileSync(
      this.conf,
      [
        `global(workDirectory="${work}")`,
        'module(load="imuxsock" SysSock.Use="off")',
        `input(type="imuxsock" Socket="${this.socket}")`,
        `template(name="OsqueryCsvFormat" type="string" string="${TEMPLATE}")`,
        `*.* action(type="ompipe" Pipe="${pipe}" template="OsqueryCsvFormat")`,
        '',
      ].join('\n'),
    );
  }

  async start(): Promise<void> {
    rmSync(this.socket, { force: true });
    rmSync(this.pidfile, { force: true });
    const child = spawn('rsyslogd', ['-n', '-f', this.conf, '-i', this.pidfile], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child = child;
    await waitFor('rsyslogd to create its socket', () => existsSync(this.socket) || child.exitCode !== null, 8000);
    if (child.exitCode !== null) throw new Error(`rsyslogd exited with ${child.exitCode}: ${this.stderr}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  log(priority: string, tag: string, message: string): void {
    execFileSync('logger', ['--socket', this.socket, '-p', priority, '-t', tag, message]);
  }
}

