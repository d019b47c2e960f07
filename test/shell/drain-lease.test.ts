// quarryi one-shot beside another drain of the same consumer: `Error: ...` and exit 1, nothing read; later it drains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { EventStore } from '@quarry/buffers';
import { privateHome, quarryi } from './quarryi.js';
import { tempDir } from '../temp-dir.js';

const holderScript = new URL('../buffers/fixtures/drain-process.ts', import.meta.url).pathname;

test('a one-shot quarryi drain of a consumer another process is draining fails with Error: and exit 1', async () => {
  const database = join(tempDir('quarryi-lease-'), 'db', 'events.db');
  const store = EventStore.open(database, { role: 'publisher', eventsExpiry: 0 });
  const ring = store.ring('file_events');
  const holder = spawn(process.execPath, ['--import', 'tsx', holderScript, 'hold', database, 'siem'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  holder.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise((resolve) => holder.on('exit', resolve));
  const home = privateHome();
  const oneShot = () => quarryi(['--json', `--database_path=${database}`, '--consumer=siem', 'select target_path, eid from file_events'], { env: { HOME: home } });
  try {
    const eids = await ring.append([{ target_path: '/tmp/a', action: 'CREATED' }, { target_path: '/tmp/b', action: 'CREATED' }]);
    const deadline = Date.now() + 20000;
    while (!/^rows /m.test(out)) {
      if (Date.now() > deadline) throw new Error(`the holder did not drain: ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const refused = oneShot();
    assert.equal(refused.status, 1, refused.stderr);
    assert.equal(refused.stdout, '');
    assert.equal(
      refused.stderr,
      `Error: file_events is being drained for consumer "siem" by another query (pid ${holder.pid}); nothing was read — try again when it has finished, or use another consumer name\n`,
    );
    const newer = await ring.append([{ target_path: '/tmp/c', action: 'CREATED' }]);
    holder.stdin.write('commit\n');
    await exited;
    const drained = oneShot();
    assert.equal(drained.status, 0, drained.stderr);
    assert.deepEqual(JSON.parse(drained.stdout), [{ target_path: '/tmp/c', eid: String(newer[0]) }]);
    assert.ok(!eids.includes(newer[0]!));
  } finally {
    if (holder.exitCode === null) holder.kill('SIGKILL');
    await store.close();
  }
});
