// The file inspector's worker threads: a worker that exits (even without an error) fails its requests in flight
// instead of leaving them pending for ever (which would stall file_events), and the next request starts fresh workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { statSync, truncateSync, writeFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { FileInspector } from '@quarry/subscribers';
import { tempTree } from './helpers.js';

test('a worker that exits without an error is replaced; its pending requests settle as not inspected', async () => {
  const tree = tempTree();
  const inspector = new FileInspector(512 * 1024 * 1024, 1);
  try {
    const file = `${tree.dir}/a.txt`;
    writeFileSync(file, 'hello');
    const first = await inspector.inspect(file, true);
    assert.equal(first.sha256, createHash('sha256').update('hello').digest('hex'));
    // Reach the (private) worker to make it exit the way a worker can: terminate() ends it with no 'error' event.
    const [worker] = (inspector as unknown as { workers: Worker[] }).workers;
    // A large (sparse) file keeps the worker hashing long enough to end it while the batch is in flight.
    const big = `${tree.dir}/big.bin`;
    writeFileSync(big, '');
    truncateSync(big, 400 * 1024 * 1024);
    const pending = inspector.inspect(big, true);
    await new Promise((resolve) => setTimeout(resolve, 30)); // let the batch go out to the worker
    await worker!.terminate();
    const lost = await Promise.race([
      pending,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the request in flight never settled')), 5000).unref()),
    ]);
    assert.equal(lost.hashed, -1, 'the request in flight settles (not inspected) instead of hanging');
    const again = await inspector.inspect(file, true);
    assert.equal(again.hashed, 1);
    assert.equal(again.stat?.ino, statSync(file).ino, 'a fresh worker answers');
  } finally {
    await inspector.close();
    tree.cleanup();
  }
});
