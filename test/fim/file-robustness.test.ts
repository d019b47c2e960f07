/** Odd names, symlink loops, unreadable directories and the inotify watch limit: reported, never fatal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPublisher, sub, tempTree, waitFor } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/limited-publisher.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

test('names with spaces, newlines and non-UTF-8 bytes are reported (invalid bytes as \\xNN)', async () => {
  const tree = tempTree();
  const run = await startPublisher([sub('t', `${tree.dir}/%%`)]);
  try {
    const spaced = `${tree.dir}/with space`;
    const newline = `${tree.dir}/line\nbreak`;
    writeFileSync(spaced, 'a');
    writeFileSync(newline, 'b');
    writeFileSync(Buffer.concat([Buffer.from(`${tree.dir}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.bin')]), 'c');
    mkdirSync(Buffer.concat([Buffer.from(`${tree.dir}/dir-`), Buffer.from([0xe9])]));
    writeFileSync(Buffer.concat([Buffer.from(`${tree.dir}/dir-`), Buffer.from([0xe9]), Buffer.from('/inner')]), 'd');
    await run.waitOn(spaced);
    await run.waitOn(newline);
    const [bad] = await run.waitOn(`${tree.dir}/bad-\\xff\\xfe.bin`);
    assert.equal(bad!.action, 'CREATED');
    assert.equal(Buffer.from(bad!.pathBytes, 'latin1').at(-5), 0xfe);
    await run.waitOn(`${tree.dir}/dir-\\xe9/inner`);
  } finally {
    await run.stop();
    tree.cleanup();
  }
});

test('a symlink loop under %% is not followed and does not stop the other paths', async () => {
  const tree = tempTree();
  mkdirSync(`${tree.dir}/a/b`, { recursive: true });
  symlinkSync(`${tree.dir}/a`, `${tree.dir}/a/b/loop`);
  symlinkSync(`${tree.dir}/a/b/loop`, `${tree.dir}/a/self`);
  const run = await startPublisher([sub('t', `${tree.dir}/%%`)]);
  try {
    assert.equal(run.publisher.watchCount, 3, 'the root, a and a/b: links are not followed');
    writeFileSync(`${tree.dir}/a/b/file`, 'x');
    await run.waitOn(`${tree.dir}/a/b/file`);
  } finally {
    await run.stop();
    tree.cleanup();
  }
});

function runLimited(args: string[]): { status: string; events: string[] } {
  const result = spawnSync('unshare', args, { cwd: root, encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 0, `child failed: ${result.stderr}`);
  const line = result.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as { status: string; events: string[] };
}

test('an unreadable directory is reported in the status and the rest of the tree is watched', () => {
  const tree = tempTree();
  chmodSync(tree.dir, 0o755);
  mkdirSync(`${tree.dir}/open`);
  mkdirSync(`${tree.dir}/closed/inner`, { recursive: true });
  chmodSync(`${tree.dir}/closed`, 0o000);
  try {
    // An unprivileged user namespace: we run as nobody, so mode 000 really is unreadable.
    const out = runLimited(['--user', process.execPath, '--import', 'tsx', child, tree.dir, 'open/file']);
    assert.match(out.status, /could not be read .*closed: permission denied/);
    assert.deepEqual(out.events, [`CREATED ${tree.dir}/open/file`]);
  } finally {
    chmodSync(`${tree.dir}/closed`, 0o755);
    tree.cleanup();
  }
});

test('running out of inotify watches (ENOSPC) is reported with the sysctl to raise, other directories keep working', () => {
  const tree = tempTree();
  for (let i = 0; i < 8; i++) mkdirSync(`${tree.dir}/d${i}`);
  try {
    // A user namespace with its own limit of 4 watches (/proc/sys/user/max_inotify_watches is per namespace).
    const script = `echo 4 > /proc/sys/user/max_inotify_watches && exec "${process.execPath}" --import tsx "${child}" "${tree.dir}" file`;
    const out = runLimited(['--user', '--map-root-user', 'sh', '-c', script]);
    assert.match(out.status, /inotify watch limit reached .*5 directories are not watched.*sysctl -w fs\.inotify\.max_user_watches/);
    assert.deepEqual(out.events, [`CREATED ${tree.dir}/file`]);
  } finally {
    tree.cleanup();
  }
});

test('deleting a watched root is reported in the status; the other paths keep working', async () => {
  const tree = tempTree();
  mkdirSync(`${tree.dir}/gone`);
  mkdirSync(`${tree.dir}/kept`);
  const run = await startPublisher([sub('a', `${tree.dir}/gone/%%`), sub('b', `${tree.dir}/kept/%`)]);
  try {
    rmdirSync(`${tree.dir}/gone`);
    await waitFor(() => /gone .*was deleted; it is watched again once it exists and the config is reloaded/.test(run.publisher.status), 'status about the deleted root');
    writeFileSync(`${tree.dir}/kept/x`, '1');
    await run.waitOn(`${tree.dir}/kept/x`);
  } finally {
    await run.stop();
    tree.cleanup();
  }
});

test('a large tree moved in under a %% path is watched completely (walked in slices) and reported once', async () => {
  const tree = tempTree();
  const outside = tempTree('quarry-fim-outside-');
  const run = await startPublisher([sub('t', `${tree.dir}/%%`)]);
  try {
    // 40 × 20 = 800 directories plus the root: more than one slice of the walk.
    const big = `${outside.dir}/big`;
    const dirs: string[] = [big];
    for (let i = 0; i < 40; i++) for (let j = 0; j < 20; j++) dirs.push(`${big}/d${i}/e${j}`);
    for (const dir of dirs) mkdirSync(dir, { recursive: true });
    const watchedBefore = run.publisher.watchCount;
    const all = spawnSync('find', [big, '-type', 'd'], { encoding: 'utf8' }).stdout.trim().split('\n');
    renameSync(big, `${tree.dir}/big`);
    await waitFor(() => run.publisher.watchCount >= watchedBefore + all.length, `${all.length} new watches`, 10_000);
    const deep = `${tree.dir}/big/d39/e19/late.txt`;
    writeFileSync(deep, 'x');
    const [created] = await run.waitOn(deep);
    assert.equal(created!.action, 'CREATED');
    // A directory created inside, with files, while nothing else is in flight: each file reported once.
    mkdirSync(`${tree.dir}/big/d0/fresh`);
    writeFileSync(`${tree.dir}/big/d0/fresh/a.txt`, 'a');
    await run.waitOn(`${tree.dir}/big/d0/fresh/a.txt`);
    await run.quiet();
    assert.equal(run.on(`${tree.dir}/big/d0/fresh/a.txt`).filter((e) => e.action === 'CREATED').length, 1);
  } finally {
    await run.stop();
    tree.cleanup();
    outside.cleanup();
  }
});
