// The audit reader thread hands over at most `maxPendingBatches` batches the main thread has not handled yet; beyond
// that it stops receiving and the kernel holds the records (socket buffer, then the audit backlog, whose overflow the
// kernel counts as lost). With the main thread blocked, a burst is received completely and in order afterwards.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { AuditClient, AuditReader, type AuditMessage } from 'node-audit';
import { assertAuditPidFree, assertKernelAuditStateRestored, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, waitFor, type KernelAuditState } from './audit-state.js';

let initial: KernelAuditState;

before(() => {
  ensureAuditTools();
  initial = readKernelAuditState();
  assertAuditPidFree(initial);
});

after(async () => {
  await putBackKernelAuditState(initial);
  assertKernelAuditStateRestored(initial);
});

test('a burst while the main thread is blocked: the reader pauses at the cap and nothing is lost', async () => {
  const client = AuditClient.open();
  const received: AuditMessage[] = [];
  const tag = `quarry-bounded-${process.pid}-${Date.now()}`;
  const burst = 40;
  try {
    await client.setStatus({ enabled: 1 });
    const reader = await client.openReader({ mode: 'unicast', maxBatch: 1, maxPendingBatches: 1 });
    reader.on('batch', (batch) => received.push(...batch));
    // auditctl -m sends a user message through the kernel to the audit pid (us). spawnSync blocks this thread.
    const script = `for i in $(seq 1 ${burst}); do auditctl -m "${tag} $i" || exit 1; done`;
    const child = spawnSync('sh', ['-c', script], { stdio: ['ignore', 'ignore', 'inherit'] });
    assert.equal(child.status, 0);
    const ours = (): string[] => received.filter((m) => m.text.includes(tag)).map((m) => /quarry-bounded-\S+ (\d+)/.exec(m.text)?.[1] ?? '?');
    await waitFor(() => ours().length >= burst, 5000, `${burst} user messages`);
    assert.deepEqual(ours(), Array.from({ length: burst }, (_, i) => String(i + 1)), 'every message, in order');
    const stats = reader.stats();
    assert.ok(stats.pauses >= 1, `the reader paused while the main thread was blocked (stats ${JSON.stringify(stats)})`);
    assert.equal(stats.overruns, 0);
  } finally {
    await client.close();
  }
});

test('maxPendingBatches must be a whole number of at least 1', async () => {
  await assert.rejects(AuditReader.start({ mode: 'multicast', maxPendingBatches: 0.5 }), /maxPendingBatches must be a whole number of at least 1, got 0.5/);
});
