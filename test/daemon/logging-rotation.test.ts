/**
 * Results log rotation (--logger_rotate, --logger_rotate_size, --logger_rotate_max_files) on real files: the
 * rotation module alone, the filesystem logger plugin, and a real quarryd writing snapshots through rotation.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { RotatingLogFile, rotatedFilesOldestFirst, rotationPolicyFromFlags } from '@quarry/daemon/results/log-rotation';
import { FilesystemLogger } from '@quarry/daemon/results/result-loggers';
import { QuarrydProcess, waitFor } from './quarryd-process.js';

const temps: string[] = [];
const daemons: QuarrydProcess[] = [];
after(() => {
  for (const d of daemons) d.cleanup();
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-rotation-'));
  temps.push(dir);
  return dir;
}

/** Line i: a JSON object of a length that varies with i (30 to ~330 bytes), so rotations fall at varied offsets. */
function lineNumber(i: number): string {
  return JSON.stringify({ n: i, pad: 'x'.repeat((i * 37) % 300) });
}

/** Every line of a rotated log, oldest file first, with each file's size and whether it ends on a line end. */
function readRotated(path: string): { lines: string[]; files: Array<{ path: string; size: number; endsWithNewline: boolean; mode: number }> } {
  const lines: string[] = [];
  const files = [];
  for (const file of rotatedFilesOldestFirst(path)) {
    const text = readFileSync(file, 'utf8');
    files.push({ path: file, size: Buffer.byteLength(text), endsWithNewline: text === '' || text.endsWith('\n'), mode: statSync(file).mode & 0o7777 });
    lines.push(...text.split('\n').filter((l) => l !== ''));
  }
  return { lines, files };
}

test('many lines through rotation: every line is in exactly one file, in order, none split, each readable once written', () => {
  const dir = tempDir();
  const path = join(dir, 'osqueryd.results.log');
  const maxBytes = 4096;
  const log = new RotatingLogFile(path, 0o640, { maxBytes, maxFiles: 10_000 });
  const written: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const line = lineNumber(i);
    log.write(line);
    written.push(line);
    // the line is in the current file as soon as write() returns (what the scheduler relies on to commit)
    assert.ok(readFileSync(path, 'utf8').endsWith(`${line}\n`), `line ${i} is in ${path} once written`);
  }
  log.close();
  const { lines, files } = readRotated(path);
  assert.ok(files.length > 100, `rotated into ${files.length} files`);
  assert.deepEqual(lines, written, 'every line once, in order, across X.n ... X.1, X');
  for (const file of files) {
    assert.ok(file.size <= maxBytes, `${file.path} holds ${file.size} <= ${maxBytes} bytes`);
    assert.ok(file.endsWithNewline, `${file.path} ends on a line end (no line split across files)`);
    assert.equal(file.mode, 0o640, `${file.path} keeps the logger's mode`);
  }
  // names are X, X.1, X.2, ... with no gap and no compression suffix
  const names = readdirSync(dir).sort();
  assert.equal(names.length, files.length);
  for (let n = 1; n < files.length; n++) assert.ok(names.includes(`osqueryd.results.log.${n}`), `osqueryd.results.log.${n} exists`);
});

test('--logger_rotate_max_files: at most N rotated files are kept; they hold the newest lines, contiguous and in order', () => {
  const dir = tempDir();
  const path = join(dir, 'osqueryd.snapshots.log');
  const maxFiles = 3;
  const log = new RotatingLogFile(path, 0o600, { maxBytes: 2048, maxFiles });
  const written: string[] = [];
  for (let i = 0; i < 1500; i++) {
    written.push(lineNumber(i));
    log.write(written[i]!);
  }
  log.close();
  assert.deepEqual(readdirSync(dir).sort(), ['osqueryd.snapshots.log', 'osqueryd.snapshots.log.1', 'osqueryd.snapshots.log.2', 'osqueryd.snapshots.log.3']);
  const { lines, files } = readRotated(path);
  assert.deepEqual(lines, written.slice(written.length - lines.length), 'the kept lines are the newest ones, in order');
  assert.ok(lines.length > 0 && lines.length < written.length);
  for (const file of files) assert.equal(file.mode, 0o600);
});

test('a line longer than --logger_rotate_size gets a file of its own, whole', () => {
  const dir = tempDir();
  const path = join(dir, 'osqueryd.results.log');
  const log = new RotatingLogFile(path, 0o600, { maxBytes: 100, maxFiles: 10 });
  const long = JSON.stringify({ big: 'y'.repeat(500) });
  log.write('{"a":1}');
  log.write(long);
  log.write('{"b":2}');
  log.close();
  assert.equal(readFileSync(`${path}.2`, 'utf8'), '{"a":1}\n');
  assert.equal(readFileSync(`${path}.1`, 'utf8'), `${long}\n`);
  assert.equal(readFileSync(path, 'utf8'), '{"b":2}\n');
});

test('a log already past the size at start is rotated at the first line; stale X.n past max_files are deleted', () => {
  const dir = tempDir();
  const path = join(dir, 'osqueryd.results.log');
  writeFileSync(path, 'old line\n'.repeat(50), { mode: 0o600 });
  writeFileSync(`${path}.1`, 'older\n');
  writeFileSync(`${path}.7`, 'from a run with a larger --logger_rotate_max_files\n');
  writeFileSync(`${path}.notes`, 'not a rotated file\n');
  const log = new RotatingLogFile(path, 0o600, { maxBytes: 200, maxFiles: 2 });
  log.write('new line');
  log.close();
  assert.equal(readFileSync(path, 'utf8'), 'new line\n');
  assert.equal(readFileSync(`${path}.1`, 'utf8'), 'old line\n'.repeat(50));
  assert.equal(readFileSync(`${path}.2`, 'utf8'), 'older\n');
  assert.equal(existsSync(`${path}.7`), false);
  assert.equal(existsSync(`${path}.3`), false);
  assert.equal(readFileSync(`${path}.notes`, 'utf8'), 'not a rotated file\n', 'other files are left alone');
});

test('the filesystem logger plugin rotates results and snapshots separately; without rotation the file grows', () => {
  const dir = tempDir();
  const logger = new FilesystemLogger(dir, 0o600, { maxBytes: 1000, maxFiles: 5 });
  const results: string[] = [];
  const snapshots: string[] = [];
  for (let i = 0; i < 60; i++) {
    results.push(lineNumber(i));
    logger.logString(results[i]!);
    if (i % 3 === 0) {
      snapshots.push(lineNumber(i + 1000));
      logger.logSnapshot(snapshots[snapshots.length - 1]!);
    }
  }
  logger.flush();
  logger.close();
  const r = readRotated(join(dir, 'osqueryd.results.log'));
  const s = readRotated(join(dir, 'osqueryd.snapshots.log'));
  assert.ok(r.files.length > 2 && r.files.length <= 6, `${r.files.length} results files`);
  assert.deepEqual(r.lines, results.slice(results.length - r.lines.length));
  assert.deepEqual(s.lines, snapshots.slice(snapshots.length - s.lines.length));
  assert.ok(s.lines.length > 0);

  const plain = tempDir();
  const unrotated = new FilesystemLogger(plain, 0o600);
  for (const line of results) unrotated.logString(line);
  unrotated.close();
  assert.deepEqual(readdirSync(plain).sort(), ['osqueryd.results.log', 'osqueryd.snapshots.log']);
  assert.deepEqual(readFileSync(join(plain, 'osqueryd.results.log'), 'utf8').split('\n').filter(Boolean), results);
});

test('rotation flags: off without --logger_rotate; size 0 or max_files 0 is an error naming the flag', () => {
  assert.equal(rotationPolicyFromFlags({ rotate: false, size: 0, maxFiles: 0 }), undefined);
  assert.deepEqual(rotationPolicyFromFlags({ rotate: true, size: 26214400, maxFiles: 25 }), { maxBytes: 26214400, maxFiles: 25 });
  assert.throws(() => rotationPolicyFromFlags({ rotate: true, size: 0, maxFiles: 25 }), /--logger_rotate_size=0 cannot be used with --logger_rotate=true/);
  assert.throws(() => rotationPolicyFromFlags({ rotate: true, size: 1000, maxFiles: 0 }), /--logger_rotate_max_files=0 cannot be used/);
});

test('quarryd: --logger_rotate rotates osqueryd.snapshots.log at --logger_rotate_size, keeps --logger_rotate_max_files, 0600', async () => {
  const d = new QuarrydProcess({ flags: ['--logger_rotate=true', '--logger_rotate_size=1000', '--logger_rotate_max_files=2'] });
  daemons.push(d);
  // ~650-byte snapshot lines every second: two do not fit in 1000 bytes, so every run rotates
  d.writeConfig({
    schedule: {
      counting: { query: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50) SELECT x FROM c', interval: 1, snapshot: true },
    },
  });
  await d.start();
  const log = d.snapshotsLog;
  await waitFor('osqueryd.snapshots.log.2', () => existsSync(`${log}.2`), 12_000);
  // one more rotation past max_files: .2 is replaced, no .3 appears
  const secondBefore = readFileSync(`${log}.2`, 'utf8');
  await waitFor('another rotation', () => existsSync(`${log}.2`) && readFileSync(`${log}.2`, 'utf8') !== secondBefore, 12_000);
  assert.equal((await d.stop()).code, 0);
  assert.equal(existsSync(`${log}.3`), false, 'no more than --logger_rotate_max_files rotated files');
  const { lines, files } = readRotated(log);
  assert.equal(files.length, 3);
  for (const file of files) {
    assert.equal(file.mode, 0o600, `${file.path} is 0600 (no --logger_mode)`);
    assert.ok(file.endsWithNewline);
    assert.ok(file.size <= 1000, `${file.path}: ${file.size} bytes`);
  }
  const parsed = lines.map((line) => JSON.parse(line));
  assert.ok(parsed.every((line) => line.name === 'counting' && line.snapshot.length === 50));
  const times = parsed.map((line) => line.unixTime as number);
  assert.deepEqual([...times].sort((a, b) => a - b), times, 'oldest file first holds the oldest runs');
  assert.equal(existsSync(`${d.resultsLog}.1`), false, 'the results log is rotated on its own size');
});

test('quarryd: --logger_rotate_size=0 with --logger_rotate=true stops quarryd at start with an error naming the flag', async () => {
  const d = new QuarrydProcess({ flags: ['--logger_rotate=true', '--logger_rotate_size=0'] });
  daemons.push(d);
  d.writeConfig({ schedule: {} });
  const run = spawnSync(process.execPath, d.args(), { encoding: 'utf8', timeout: 15_000 });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /--logger_rotate_size=0 cannot be used with --logger_rotate=true/);
  assert.equal(existsSync(d.pidfile), false, 'nothing was started');
  assert.equal(existsSync(d.resultsLog), false, 'no log file was created');
});
