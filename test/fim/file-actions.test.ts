/** Each file action from real inotify: CREATED, one UPDATED per write, ATTRIBUTES_MODIFIED, DELETED, rename pairs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, chownSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startPublisher, sub, tempTree } from './helpers.js';

test('create, write, chmod, chown, delete give one row each with osquery action names', async () => {
  const tree = tempTree();
  const run = await startPublisher([sub('t', `${tree.dir}/%%`)]);
  try {
    const file = `${tree.dir}/a.txt`;
    writeFileSync(file, 'first');
    await run.waitOn(file, 1);
    await run.quiet();
    appendFileSync(file, 'second');
    await run.waitOn(file, 2);
    await run.quiet();
    chmodSync(file, 0o600);
    await run.waitOn(file, 3);
    await run.quiet();
    chownSync(file, 1, 1);
    await run.waitOn(file, 4);
    await run.quiet();
    unlinkSync(file);
    await run.waitOn(file, 5);
    await run.quiet();
    assert.deepEqual(
      run.on(file).map((e) => e.action),
      ['CREATED', 'UPDATED', 'ATTRIBUTES_MODIFIED', 'ATTRIBUTES_MODIFIED', 'DELETED'],
    );
    assert.ok(run.on(file).every((e) => e.category === 't' && e.transactionId === 0));
  } finally {
    await run.stop();
    tree.cleanup();
  }
});

test('a write made of several write(2) calls is one UPDATED, not two as osquery (#3920)', async () => {
  const tree = tempTree();
  const file = `${tree.dir}/log`;
  writeFileSync(file, '');
  const run = await startPublisher([sub('t', `${tree.dir}/`)]);
  try {
    for (let i = 0; i < 3; i++) {
      const fd = openSync(file, 'a');
      writeSync(fd, 'line one\n');
      writeSync(fd, 'line two\n');
      closeSync(fd);
      await run.waitOn(file, i + 1);
      await run.quiet(150);
    }
    assert.deepEqual(run.on(file).map((e) => e.action), ['UPDATED', 'UPDATED', 'UPDATED']);
  } finally {
    await run.stop();
    tree.cleanup();
  }
});

test('a rename inside the tree gives MOVED_FROM and MOVED_TO sharing one non-zero transaction_id', async () => {
  const tree = tempTree();
  const from = `${tree.dir}/old name`;
  const to = `${tree.dir}/new name`;
  writeFileSync(from, 'x');
  const run = await startPublisher([sub('t', `${tree.dir}/%%`)]);
  try {
    renameSync(from, to);
    renameSync(to, from);
    const [a] = await run.waitOn(from, 2);
    const [b] = await run.waitOn(to, 2);
    const pairs = [...run.on(from), ...run.on(to)].sort((x, y) => x.id - y.id);
    assert.deepEqual(pairs.map((e) => `${e.action} ${e.path === from ? 'old' : 'new'}`), [
      'MOVED_FROM old', 'MOVED_TO new', 'MOVED_FROM new', 'MOVED_TO old',
    ]);
    assert.ok(a && b);
    assert.notEqual(pairs[0]!.transactionId, 0);
    assert.equal(pairs[0]!.transactionId, pairs[1]!.transactionId);
    assert.equal(pairs[2]!.transactionId, pairs[3]!.transactionId);
    assert.notEqual(pairs[0]!.transactionId, pairs[2]!.transactionId);
  } finally {
    await run.stop();
    tree.cleanup();
  }
});

test('a file moved out of the tree is MOVED_FROM; a directory moved in is watched (fix for osquery #1969)', async () => {
  const tree = tempTree();
  const outside = tempTree();
  mkdirSync(`${tree.dir}/watched`);
  writeFileSync(`${tree.dir}/watched/f`, 'x');
  mkdirSync(`${outside.dir}/incoming`);
  const run = await startPublisher([sub('t', `${tree.dir}/watched/%%`)]);
  try {
    renameSync(`${tree.dir}/watched/f`, `${outside.dir}/f`);
    const [gone] = await run.waitOn(`${tree.dir}/watched/f`);
    assert.equal(gone!.action, 'MOVED_FROM');
    renameSync(`${outside.dir}/incoming`, `${tree.dir}/watched/incoming`);
    const [arrived] = await run.waitOn(`${tree.dir}/watched/incoming`);
    assert.equal(arrived!.action, 'MOVED_TO');
    assert.equal(arrived!.isDirectory, true);
    await run.quiet(100);
    writeFileSync(`${tree.dir}/watched/incoming/new`, 'y');
    const [created] = await run.waitOn(`${tree.dir}/watched/incoming/new`);
    assert.equal(created!.action, 'CREATED');
  } finally {
    await run.stop();
    tree.cleanup();
    outside.cleanup();
  }
});

test('file_accesses categories also report OPENED and ACCESSED; other categories do not', async () => {
  const tree = tempTree();
  mkdirSync(`${tree.dir}/watched-access`);
  mkdirSync(`${tree.dir}/plain`);
  writeFileSync(`${tree.dir}/watched-access/secret`, 'top secret');
  writeFileSync(`${tree.dir}/plain/other`, 'boring');
  const run = await startPublisher([sub('secrets', `${tree.dir}/watched-access/%`, [], true), sub('plain', `${tree.dir}/plain/%`)]);
  try {
    assert.equal(readFileSync(`${tree.dir}/watched-access/secret`, 'utf8'), 'top secret');
    readFileSync(`${tree.dir}/plain/other`);
    const events = await run.waitOn(`${tree.dir}/watched-access/secret`, 2);
    await run.quiet();
    assert.deepEqual(events.map((e) => e.action).slice(0, 2), ['OPENED', 'ACCESSED']);
    assert.ok(events.every((e) => e.category === 'secrets' && e.accessCategory));
    assert.equal(run.on(`${tree.dir}/plain/other`).length, 0);
  } finally {
    await run.stop();
    tree.cleanup();
  }
});

test('touch on an existing file is ATTRIBUTES_MODIFIED only; touch of a new file is CREATED only', async () => {
  const tree = tempTree();
  writeFileSync(`${tree.dir}/old`, 'x');
  const run = await startPublisher([sub('t', `${tree.dir}/%`)]);
  try {
    assert.equal(spawnSync('touch', [`${tree.dir}/old`, `${tree.dir}/new`]).status, 0);
    await run.waitOn(`${tree.dir}/old`);
    await run.waitOn(`${tree.dir}/new`);
    await run.quiet();
    assert.deepEqual(run.on(`${tree.dir}/old`).map((e) => e.action), ['ATTRIBUTES_MODIFIED']);
    assert.deepEqual(run.on(`${tree.dir}/new`).map((e) => e.action), ['CREATED']);
  } finally {
    await run.stop();
    tree.cleanup();
  }
});
