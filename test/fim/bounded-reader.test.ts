/**
 * The inotify reader thread hands over at most `maxPendingBatches` batches the main thread has not handled yet.
 * With the main thread blocked and a burst larger than the kernel queue, the reader stops reading, the kernel queue
 * overflows (IN_Q_OVERFLOW, the kernel's own loss signal) and the publisher counts it, instead of this process's
 * memory growing without bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { FilePublisher } from '@quarry/publishers';
import { startPublisher, sub, tempTree, waitFor } from './helpers.js';

test('a burst against a tiny hand-over cap ends in a counted kernel overflow, then events flow again', async () => {
  const queued = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim());
  // Each new empty file gives CREATE + CLOSE_WRITE: twice the queue size in files overflows it for sure.
  const files = queued + 2000;
  const tree = tempTree();
  const publisher = new FilePublisher({ maxPendingBatches: 1 });
  const run = await startPublisher([sub('t', `${tree.dir}/%`)], 'file_events', publisher);
  try {
    // spawnSync blocks this (main) thread while the child writes: the reader may hand over one batch, then waits.
    const script = `const fs = require('fs'); for (let i = 0; i < ${files}; i++) fs.writeFileSync(${JSON.stringify(tree.dir)} + '/f' + i, '');`;
    const child = spawnSync(process.execPath, ['-e', script], { stdio: 'inherit' });
    assert.equal(child.status, 0);
    const counters = await waitFor(() => {
      const c = publisher.counters();
      return c.overflows > 0 ? c : undefined;
    }, 'the IN_Q_OVERFLOW event', 10_000);
    assert.ok(counters.readerPauses >= 1, `the reader paused (counters ${JSON.stringify(counters)})`);
    assert.ok(counters.batches >= 2);
    assert.match(publisher.status, /inotify queue overflowed 1 time\(s\): events were lost/);
    assert.match(publisher.status, /the reader paused \d+ time\(s\) while 1 batches waited for the main thread/);
    assert.ok(run.events.length < files, 'events beyond the kernel queue were lost (by the kernel, counted)');
    // Once the main thread is free again, the reader catches up and new changes are reported.
    await run.quiet();
    const after = `${tree.dir}/after-the-burst`;
    writeFileSync(after, 'x');
    await run.waitOn(after);
  } finally {
    await run.stop();
    tree.cleanup();
  }
});

test('maxPendingBatches must be a whole number of at least 1', () => {
  assert.throws(() => new FilePublisher({ maxPendingBatches: 0 }), /maxPendingBatches must be a whole number of at least 1, got 0/);
});
