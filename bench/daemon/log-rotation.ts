/**
 * The filesystem logger's write path with and without --logger_rotate: 200,000 result-sized lines (232 bytes)
 * through RotatingLogFile, unrotated (the peer) and rotating every 25 MiB (osquery's default), 1 MiB and 64 KiB.
 * keeping osquery's default 25 rotated files. Prints lines/s and the ratio to the unrotated run; lines are counted
 * back from the files.
 * Run: node --import tsx bench/daemon/log-rotation.ts [lines]   (packages built first: npm run build)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingLogFile, rotatedFilesOldestFirst, type RotationPolicy } from '@quarry/daemon/results/log-rotation';

const LINES = Number(process.argv[2] ?? 200_000);
const line = JSON.stringify({ name: 'file_changes', hostIdentifier: 'bench', calendarTime: 'Sat Nov 28 00:00:00 2026 UTC', unixTime: 1795824000, epoch: 0, counter: 1, numerics: false, columns: { action: 'CREATED', target_path: '/var/tmp/quarry-demo/x' }, action: 'added' }).padEnd(231, ' ');

function run(label: string, policy: RotationPolicy | undefined): number {
  const directory = mkdtempSync(join(tmpdir(), 'quarry-rotation-bench-'));
  const path = join(directory, 'osqueryd.results.log');
  const file = new RotatingLogFile(path, 0o600, policy);
  const started = performance.now();
  for (let i = 0; i < LINES; i++) file.write(line);
  file.sync();
  const seconds = (performance.now() - started) / 1000;
  file.close();
  const files = rotatedFilesOldestFirst(path);
  const counted = files.reduce((sum, f) => sum + readFileSync(f, 'utf8').split('\n').length - 1, 0);
  rmSync(directory, { recursive: true, force: true });
  // With max_files kept, the oldest files go: every line is accounted for only while none was deleted.
  const rotatedAway = policy !== undefined && files.length > policy.maxFiles;
  if (!rotatedAway && counted !== LINES) throw new Error(`${label}: ${counted} lines in the files, ${LINES} written`);
  const rate = LINES / seconds;
  const kept = rotatedAway ? `, ${counted.toLocaleString('en-US')} lines kept (older files rotated away)` : '';
  console.log(`${label.padEnd(28)} ${Math.round(rate).toLocaleString('en-US').padStart(9)} lines/s  ${files.length} files${kept}`);
  return rate;
}

const peer = run('no rotation (peer)', undefined);
for (const [label, maxBytes] of [['rotate every 25 MiB', 25 * 1024 * 1024], ['rotate every 1 MiB', 1024 * 1024], ['rotate every 64 KiB', 64 * 1024]] as const) {
  const rate = run(label, { maxBytes, maxFiles: 25 }); // osquery's default --logger_rotate_max_files
  console.log(`${''.padEnd(28)} ratio to no rotation: ${(rate / peer).toFixed(2)}`);
}
