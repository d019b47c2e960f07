/**
 * quarryd's status log routing on a real quarryd: glog files osqueryd.INFO/WARNING/ERROR.<YYYYMMDD-HHMMSS>.<pid>
 * with their symlinks in --logger_path, --logger_min_status, --logger_stderr, --logger_min_stderr,
 * --disable_logging, and an unwritable --logger_path.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QuarrydProcess, waitFor } from './quarryd-process.js';

const root = new URL('../../', import.meta.url).pathname;
const daemons: QuarrydProcess[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const d of daemons) d.cleanup();
});

/** A config that makes quarryd log a WARNING (unknown option) and, every second, an ERROR (missing table). */
const NOISY_CONFIG = {
  options: { no_such_option_for_the_test: 1 },
  schedule: { broken: { query: 'SELECT * FROM no_such_table_for_the_test', interval: 1 } },
};

interface Run {
  d: QuarrydProcess;
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts a real quarryd (bin/quarryd.js) with the test helper's directories and `flags`; readiness is up to the caller. */
function launch(flags: string[], config: object = NOISY_CONFIG): Run {
  // One process: the file names carry the pid of the process that logs (a watcher and its worker log to files of
  // their own; test/daemon/watcher-worker.test.ts covers that pair).
  const d = new QuarrydProcess({ flags: ['--disable_watchdog', ...flags] });
  daemons.push(d);
  d.writeConfig(config);
  const child = spawn(process.execPath, d.args(), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.resume();
  // 'close': the process exited and its stdio streams are drained, so stderr() is complete
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { d, child, stderr: () => stderr, exited };
}

function stop(run: Run): Promise<number | null> {
  run.child.kill('SIGTERM');
  return run.exited;
}

function logDir(d: QuarrydProcess): string {
  return join(d.dir, 'log');
}

/** The content of the file a status symlink points at, or '' while it does not exist. */
function statusText(d: QuarrydProcess, severity: 'INFO' | 'WARNING' | 'ERROR'): string {
  try {
    return readFileSync(join(logDir(d), `osqueryd.${severity}`), 'utf8');
  } catch {
    return '';
  }
}

/** The glog lines of a text (header lines and the banner left out). */
function glogLines(text: string): string[] {
  return text.split('\n').filter((line) => /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{6} \d+ \S+\] /.test(line));
}

test('filesystem plugin: osqueryd.INFO/WARNING/ERROR.<YYYYMMDD-HHMMSS>.<pid> files, symlinks to them, 0600, each with its severities', async () => {
  const run = launch([]);
  const { d } = run;
  await waitFor('started line in osqueryd.INFO', () => statusText(d, 'INFO').includes('HTTP endpoint'), 15_000);
  await waitFor('error line in osqueryd.ERROR', () => statusText(d, 'ERROR').includes('no_such_table_for_the_test'), 8000);
  const pid = run.child.pid!;
  const names = readdirSync(logDir(d));
  for (const severity of ['INFO', 'WARNING', 'ERROR'] as const) {
    const pattern = new RegExp(`^osqueryd\\.${severity}\\.(\\d{8})-(\\d{6})\\.${pid}$`);
    const files = names.filter((name) => pattern.test(name));
    assert.equal(files.length, 1, `one ${severity} file named osqueryd.${severity}.<YYYYMMDD-HHMMSS>.${pid}: ${names.join(' ')}`);
    const [, day] = pattern.exec(files[0]!)!;
    const now = new Date();
    const today = `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, '0')}${String(now.getDate()).padStart(2, '0')}`;
    assert.ok(Math.abs(Number(day) - Number(today)) <= 1, `${files[0]} carries today's local date ${today}`);
    const link = join(logDir(d), `osqueryd.${severity}`);
    assert.ok(lstatSync(link).isSymbolicLink(), `osqueryd.${severity} is a symlink`);
    assert.equal(readlinkSync(link), files[0], `osqueryd.${severity} points at the newest file (relative name)`);
    assert.equal(statSync(join(logDir(d), files[0]!)).mode & 0o777, 0o600, `${files[0]} is 0600 without --logger_mode`);
    assert.match(readFileSync(link, 'utf8'), /^Log file created at: \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\nRunning on machine: /, 'glog header');
  }
  const info = glogLines(statusText(d, 'INFO'));
  const warning = glogLines(statusText(d, 'WARNING'));
  const error = glogLines(statusText(d, 'ERROR'));
  assert.ok(info.some((line) => line.startsWith('I') && line.includes('HTTP endpoint')), 'INFO holds INFO lines');
  assert.ok(info.some((line) => line.startsWith('W') && line.includes('no_such_option_for_the_test')), 'INFO holds WARNING lines');
  assert.ok(info.some((line) => line.startsWith('E') && line.includes('no_such_table_for_the_test')), 'INFO holds ERROR lines');
  assert.ok(warning.some((line) => line.includes('no_such_option_for_the_test')), 'WARNING holds the warning');
  assert.ok(warning.length > 0 && warning.every((line) => line[0] === 'W' || line[0] === 'E'), 'WARNING holds WARNING and above only');
  assert.ok(error.length > 0 && error.every((line) => line[0] === 'E'), 'ERROR holds ERROR lines only');
  // the same lines reach stderr (--logger_stderr defaults to true)
  assert.ok(glogLines(run.stderr()).some((line) => line.includes('HTTP endpoint')));
  assert.match(run.stderr(), /quarryd is running\. Bearer token file:/);
  assert.equal(await stop(run), 0);
  assert.ok(glogLines(statusText(d, 'INFO')).some((line) => line.includes('quarryd stopped')), 'shutdown lines are in the file too');
});

test('--logger_min_status=1: no INFO lines anywhere; WARNING and above in the files and on stderr', async () => {
  const run = launch(['--logger_min_status=1']);
  const { d } = run;
  await waitFor('error line in osqueryd.ERROR', () => statusText(d, 'ERROR').includes('no_such_table_for_the_test'), 15_000);
  // as in glog, the INFO file receives every severity: here only WARNING and ERROR lines reach it
  const info = glogLines(statusText(d, 'INFO'));
  assert.ok(info.length > 0);
  assert.ok(info.every((line) => line[0] !== 'I'), 'no INFO line in osqueryd.INFO');
  assert.ok(statusText(d, 'WARNING').includes('no_such_option_for_the_test'));
  assert.equal(await stop(run), 0);
  const stderrLines = glogLines(run.stderr());
  assert.ok(stderrLines.length > 0);
  assert.ok(stderrLines.every((line) => line[0] !== 'I'), 'no INFO line on stderr either');
});

test('--logger_stderr=false: nothing on stderr (not even the banner); the status files still get every line', async () => {
  const run = launch(['--logger_stderr=false']);
  const { d } = run;
  await waitFor('started line in osqueryd.INFO', () => statusText(d, 'INFO').includes('HTTP endpoint'), 15_000);
  await waitFor('error line in osqueryd.ERROR', () => statusText(d, 'ERROR').includes('no_such_table_for_the_test'), 8000);
  assert.equal(await stop(run), 0);
  assert.equal(run.stderr(), '', 'stderr is silent');
  assert.ok(glogLines(statusText(d, 'INFO')).some((line) => line.includes('quarryd stopped')));
});

test('--logger_min_stderr=2: only ERROR lines on stderr; the files keep INFO and WARNING', async () => {
  const run = launch(['--logger_min_stderr=2']);
  const { d } = run;
  await waitFor('started line in osqueryd.INFO', () => statusText(d, 'INFO').includes('HTTP endpoint'), 15_000);
  await waitFor('an error on stderr', () => run.stderr().includes('no_such_table_for_the_test'), 8000);
  assert.equal(await stop(run), 0);
  const text = run.stderr();
  const lines = text.split('\n').filter(Boolean);
  assert.ok(lines.length > 0);
  assert.ok(lines.every((line) => /^E\d{4} /.test(line)), `only ERROR lines on stderr:\n${text}`);
  assert.ok(statusText(d, 'WARNING').includes('no_such_option_for_the_test'), 'the warning is still in the files');
});

test('--disable_logging=true: no status files and no results log; stderr still has the status lines', async () => {
  const run = launch(['--disable_logging=true']);
  const { d } = run;
  await waitFor('started line on stderr', () => run.stderr().includes('HTTP endpoint'), 15_000);
  assert.equal(await stop(run), 0);
  const names = existsSync(logDir(d)) ? readdirSync(logDir(d)) : [];
  assert.deepEqual(names, [], `nothing in --logger_path: ${names.join(' ')}`);
  assert.ok(glogLines(run.stderr()).some((line) => line.includes('no_such_option_for_the_test')));
});

test('--logger_plugin=stdout: no status files (they belong to the filesystem plugin); stderr as usual', async () => {
  const run = launch(['--logger_plugin=stdout']);
  const { d } = run;
  await waitFor('started line on stderr', () => run.stderr().includes('HTTP endpoint'), 15_000);
  assert.equal(await stop(run), 0);
  const names = existsSync(logDir(d)) ? readdirSync(logDir(d)) : [];
  assert.deepEqual(names.filter((name) => name.startsWith('osqueryd.INFO') || name.startsWith('osqueryd.WARNING')), []);
});

test('unwritable --logger_path: status lines go to stderr (even with --logger_stderr=false); quarryd stops with an error naming the path', () => {
  const d = new QuarrydProcess({});
  daemons.push(d);
  d.writeConfig({ schedule: {} });
  // a regular file where the log directory should be: not creatable, whoever runs the test (root included)
  const blocker = join(d.dir, 'not-a-directory');
  writeFileSync(blocker, '');
  const path = join(blocker, 'log');
  const run = spawnSync(process.execPath, [...d.args(), `--logger_path=${path}`, '--logger_stderr=false'], { cwd: root, encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, new RegExp(`^W\\d{4} .*--logger_path ${path} is not a writable directory \\(.*\\): status logs go to stderr`, 'm'));
  assert.match(run.stderr, new RegExp(`^F\\d{4} .*quarryd could not start: --logger_path ${path} cannot hold the results log .*choose a writable directory`, 'm'));
});
