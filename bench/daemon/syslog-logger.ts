/**
 * The syslog logger plugin's write path against a real rsyslogd (its own config, a temp imuxsock socket, omfile to a
 * temp file; the system syslog is not touched) vs the filesystem logger (the peer), in the same script: the same
 * 232-byte result lines through SyslogLogger and FilesystemLogger. Prints lines/s, the ratio, and how many lines
 * rsyslogd wrote back (counted from its file), plus the lines the client could not send (queue full for >1 s).
 * Run: node --import tsx bench/daemon/syslog-logger.ts [lines]   (packages built first; installs rsyslog if missing)
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FilesystemLogger } from '@quarry/daemon/results/result-loggers';
import { SyslogLogger } from '@quarry/daemon/results/syslog-logger';
import { SyslogClient } from '@quarry/daemon/logging/syslog-client';

const LINES = Number(process.argv[2] ?? 50_000);
const root = new URL('../../', import.meta.url).pathname;
const line = JSON.stringify({ name: 'file_changes', hostIdentifier: 'bench', calendarTime: 'Sat Nov 28 00:00:00 2026 UTC', unixTime: 1795824000, epoch: 0, counter: 1, numerics: false, columns: { action: 'CREATED', target_path: '/var/tmp/quarry-demo/x' }, action: 'added' }).padEnd(231, ' ');

function countLines(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0;
}

execFileSync('sh', [join(root, 'scripts/ensure-rsyslog.sh')], { stdio: 'inherit' });
const dir = mkdtempSync('/tmp/quarry-syslog-bench-');
const socket = join(dir, 'log');
const output = join(dir, 'messages');
writeFileSync(
  join(dir, 'rsyslog.conf'),
  [
    `global(workDirectory="${dir}")`,
    'module(load="imuxsock" SysSock.Use="off")',
    `input(type="imuxsock" Socket="${socket}" RateLimit.Interval="0")`,
    'template(name="raw" type="string" string="%msg%\\n")',
    `if $programname == 'quarryd' then action(type="omfile" file="${output}" template="raw")`,
    '',
  ].join('\n'),
);
const rsyslogd = spawn('rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'pid')], { stdio: 'ignore' });
try {
  for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 25));
  if (!existsSync(socket)) throw new Error('rsyslogd did not create its socket');

  const files = join(dir, 'files');
  const filesystem = new FilesystemLogger(files, 0o600);
  let started = performance.now();
  for (let i = 0; i < LINES; i++) filesystem.logString(line);
  filesystem.flush();
  const fsRate = LINES / ((performance.now() - started) / 1000);
  filesystem.close();
  const fsCount = countLines(join(files, 'osqueryd.results.log'));
  console.log(`filesystem (peer)   ${Math.round(fsRate).toLocaleString('en-US').padStart(9)} lines/s  ${fsCount.toLocaleString('en-US')} lines in the file`);

  const client = new SyslogClient({ socketPath: socket, facility: 19, ident: 'quarryd' });
  const syslog = new SyslogLogger(client, { prependCee: false, warn: (text) => console.error(text) });
  let failed = 0;
  started = performance.now();
  for (let i = 0; i < LINES; i++) {
    try {
      syslog.logString(line);
    } catch {
      failed++;
    }
  }
  const sysRate = LINES / ((performance.now() - started) / 1000);
  // rsyslogd writes asynchronously: wait until its file stops growing.
  let received = -1;
  for (let stable = 0; stable < 4; ) {
    await new Promise((r) => setTimeout(r, 250));
    const now = countLines(output);
    stable = now === received ? stable + 1 : 0;
    received = now;
  }
  console.log(`syslog (rsyslogd)   ${Math.round(sysRate).toLocaleString('en-US').padStart(9)} lines/s  ${received.toLocaleString('en-US')} lines written by rsyslogd, ${failed} not sent, ${client.counters.sent.toLocaleString('en-US')} datagrams accepted`);
  console.log(`ratio syslog / filesystem: ${(sysRate / fsRate).toFixed(2)}`);
  client.close();
} finally {
  rsyslogd.kill('SIGTERM');
  await new Promise((r) => rsyslogd.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
