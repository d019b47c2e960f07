/**
 * file_events end to end: real inotify → publisher → subscriber (stat, hashes) → real LMDB ring → Engine.
 * Hashes are compared with md5sum / sha1sum / sha256sum; drains are checked with two consumers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createEventRuntime, type EventRuntime } from '@quarry/events';
import { registerBuiltinPublishers } from '@quarry/publishers';
import { registerBuiltinSubscribers } from '@quarry/subscribers';
import { Engine, type Row } from '@quarry/sql';
import { Flags } from '@quarry/config';
import { tempTree, waitFor } from './helpers.js';
import { openTestStore } from './store.js';

interface Lab {
  runtime: EventRuntime;
  engine: Engine;
  dir: string;
  rows(sql: string, consumer?: string, peek?: boolean): Row[];
  close(): Promise<void>;
}

async function lab(extraFlags: Record<string, number | boolean> = {}): Promise<Lab> {
  const tree = tempTree();
  const dbDir = mkdtempSync(`${tmpdir()}/quarry-fim-db-`);
  const { store, close } = await openTestStore(dbDir);
  const flags = new Flags();
  flags.set('disable_events', false, 'cli');
  for (const [name, value] of Object.entries(extraFlags)) flags.set(name, value, 'cli');
  const runtime = createEventRuntime(flags, { file_paths: { monitor_this: [`${tree.dir}/%%`] } }, store);
  registerBuiltinPublishers(runtime, { flags });
  registerBuiltinSubscribers(runtime, { flags });
  await runtime.start();
  const engine = await Engine.create({ tables: runtime.tables(), eventsEnabled: () => runtime.eventsEnabled() });
  return {
    runtime,
    engine,
    dir: tree.dir,
    rows(sql, consumer = 'shell', peek = false) {
      const results = engine.execute(sql, { consumer, peek });
      const last = results[results.length - 1]!;
      last.commit();
      return last.rows;
    },
    async close() {
      await runtime.stop();
      engine.close();
      await close();
      tree.cleanup();
      rmSync(dbDir, { recursive: true, force: true });
    },
  };
}

function tool(name: string, path: string): string {
  return execFileSync(name, [path], { encoding: 'utf8' }).split(' ')[0]!;
}

test('rows carry osquery columns, stat after the change, and hashes equal to md5sum/sha1sum/sha256sum', async () => {
  const l = await lab();
  try {
    const file = `${l.dir}/hello.txt`;
    writeFileSync(file, 'hello quarry\n');
    const [created] = await waitFor(() => {
      const r = l.rows(`select * from file_events where target_path = '${file}'`, 'check', true);
      return r.length > 0 ? r : undefined;
    }, 'CREATED row');
    const st = lstatSync(file);
    assert.equal(created!['action'], 'CREATED');
    assert.equal(created!['category'], 'monitor_this');
    assert.equal(created!['transaction_id'], 0);
    assert.equal(Number(created!['inode']), st.ino);
    assert.equal(Number(created!['uid']), st.uid);
    assert.equal(Number(created!['size']), st.size);
    assert.equal(created!['mode'], (st.mode & 0o7777).toString(8).padStart(4, '0'));
    assert.equal(created!['md5'], tool('md5sum', file));
    assert.equal(created!['sha1'], tool('sha1sum', file));
    assert.equal(created!['sha256'], tool('sha256sum', file));
    assert.equal(created!['hashed'], 1);
    assert.ok(Math.abs(Number(created!['time']) - Date.now() / 1000) < 10);

    chmodSync(file, 0o640);
    renameSync(file, `${l.dir}/renamed.txt`);
    unlinkSync(`${l.dir}/renamed.txt`);
    const all = await waitFor(() => {
      const r = l.rows('select action, target_path, transaction_id, hashed, md5 from file_events', 'check', true);
      return r.length >= 5 ? r : undefined;
    }, 'five rows');
    assert.deepEqual(all.map((r) => r['action']), ['CREATED', 'ATTRIBUTES_MODIFIED', 'MOVED_FROM', 'MOVED_TO', 'DELETED']);
    assert.equal(all[2]!['transaction_id'], all[3]!['transaction_id']);
    assert.notEqual(all[2]!['transaction_id'], 0);
    assert.ok(all.slice(1).every((r) => r['hashed'] === 0 && r['md5'] === ''), 'only CREATED/UPDATED are hashed');
  } finally {
    await l.close();
  }
});

test('a file larger than read_max is not hashed (hashed = 0, empty hashes); a smaller one is', async () => {
  const l = await lab({ read_max: 4096 });
  try {
    writeFileSync(`${l.dir}/big`, Buffer.alloc(8192, 7));
    writeFileSync(`${l.dir}/small`, Buffer.alloc(100, 7));
    const rows = await waitFor(() => {
      const r = l.rows('select target_path, hashed, sha256 from file_events order by target_path', 'check', true);
      return r.length >= 2 ? r : undefined;
    }, 'two rows');
    assert.deepEqual(rows[0], { target_path: `${l.dir}/big`, hashed: 0, sha256: '' });
    assert.equal(rows[1]!['hashed'], 1);
    assert.equal(rows[1]!['sha256'], tool('sha256sum', `${l.dir}/small`));
  } finally {
    await l.close();
  }
});

test('a select drains for its consumer only: the next select returns newer rows, another consumer still sees all', async () => {
  const l = await lab();
  try {
    writeFileSync(`${l.dir}/a`, '1');
    await waitFor(() => l.rows('select * from file_events', 'peeker', true).length >= 1, 'first row');
    const firstA = l.rows('select target_path from file_events', 'alice');
    assert.deepEqual(firstA.map((r) => r['target_path']), [`${l.dir}/a`]);
    assert.deepEqual(l.rows('select target_path from file_events', 'alice'), [], 'drained for alice');
    writeFileSync(`${l.dir}/b`, '2');
    await waitFor(() => l.rows('select * from file_events', 'peeker', true).length >= 2, 'second row');
    assert.deepEqual(l.rows('select target_path from file_events', 'alice').map((r) => r['target_path']), [`${l.dir}/b`]);
    assert.deepEqual(l.rows('select target_path from file_events', 'bob').map((r) => r['target_path']), [`${l.dir}/a`, `${l.dir}/b`]);
    // A time constraint reads a range and moves no cursor (osquery).
    const since = Math.floor(Date.now() / 1000) - 60;
    assert.equal(l.rows(`select * from file_events where time >= ${since}`, 'carol').length, 2);
    assert.equal(l.rows('select * from file_events', 'carol').length, 2);
  } finally {
    await l.close();
  }
});
