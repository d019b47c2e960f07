/**
 * The portable chokidar publisher (used where raw inotify is unavailable), run here on Linux: the actions it can
 * tell apart, and the refusal of file_accesses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import type { FileEventContext } from '@quarry/events';
import { ChokidarFilePublisher } from '@quarry/publishers';
import { sub, tempTree, waitFor } from './helpers.js';

async function start(pattern: string, accesses = false): Promise<{ publisher: ChokidarFilePublisher; events: FileEventContext[] }> {
  const publisher = new ChokidarFilePublisher();
  await publisher.setUp();
  publisher.subscribe('file_events', [sub('t', pattern, [], accesses)]);
  const events: FileEventContext[] = [];
  publisher.emitter.on('event', (ctx) => events.push(ctx));
  await publisher.configure();
  await publisher.start();
  publisher.markStarted();
  return { publisher, events };
}

test('chokidar publisher: CREATED, UPDATED, ATTRIBUTES_MODIFIED, DELETED; a rename is DELETED + CREATED', async () => {
  const tree = tempTree();
  writeFileSync(`${tree.dir}/existing`, 'x');
  const { publisher, events } = await start(`${tree.dir}/%%`);
  const actions = (path: string): string[] => events.filter((e) => e.path === path).map((e) => e.action);
  try {
    const file = `${tree.dir}/f`;
    writeFileSync(file, 'one');
    await waitFor(() => actions(file).length === 1, 'CREATED');
    appendFileSync(file, 'two');
    await waitFor(() => actions(file).length === 2, 'UPDATED');
    chmodSync(`${tree.dir}/existing`, 0o600);
    await waitFor(() => actions(`${tree.dir}/existing`).length === 1, 'ATTRIBUTES_MODIFIED');
    renameSync(file, `${tree.dir}/g`);
    await waitFor(() => actions(`${tree.dir}/g`).length === 1 && actions(file).length === 3, 'rename');
    unlinkSync(`${tree.dir}/g`);
    await waitFor(() => actions(`${tree.dir}/g`).length === 2, 'DELETED');
    assert.deepEqual(actions(file), ['CREATED', 'UPDATED', 'DELETED']);
    assert.deepEqual(actions(`${tree.dir}/existing`), ['ATTRIBUTES_MODIFIED']);
    assert.deepEqual(actions(`${tree.dir}/g`), ['CREATED', 'DELETED']);
  } finally {
    await publisher.stop();
    tree.cleanup();
  }
});

test('chokidar publisher refuses file_accesses with a clear error instead of ignoring it', async () => {
  const tree = tempTree();
  const publisher = new ChokidarFilePublisher();
  publisher.subscribe('file_events', [sub('secrets', `${tree.dir}/%`, [], true)]);
  try {
    await assert.rejects(publisher.configure(), /category "secrets" is listed in file_accesses, but .* cannot see file opens/);
  } finally {
    await publisher.stop();
    tree.cleanup();
  }
});
