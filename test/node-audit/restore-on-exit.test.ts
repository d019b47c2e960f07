// A process that changed the audit state puts it back when it gets SIGINT, SIGTERM or SIGHUP (terminal closed), throws, or
// exits; when it is SIGKILLed or its client lives in a worker thread (no signal reaches it), the restore guard does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { assertAuditPidFree, assertKernelAuditStateRestored, auditctlRules, auditctlStatus, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, type KernelAuditState } from './audit-state.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/hold-audit.ts', import.meta.url));
const WORKER_FIXTURE = fileURLToPath(new URL('./fixtures/hold-audit-in-worker.ts', import.meta.url));
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

async function holdThen(action: (child: ReturnType<typeof spawn>) => void, fixture = FIXTURE): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('READY')) resolve();
    });
    child.on('exit', () => reject(new Error(`fixture exited before READY: ${stderr}`)));
  });
  // The child changed everything it could.
  const held = auditctlStatus();
  assert.equal(held.get('pid'), String(child.pid));
  assert.equal(held.get('enabled'), '1');
  assert.equal(held.get('backlog_limit'), String(Number(initial.status.get('backlog_limit')) + 77));
  assert.ok(auditctlRules().some((l) => l.includes(`key=hold-${child.pid}`)));
  action(child);
  return { ...(await exited), stderr };
}

function assertPutBack(): void {
  const now = readKernelAuditState();
  assertKernelAuditStateRestored(initial, now);
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  test(`${signal}: the audit state is put back and the process still dies of the signal`, async () => {
    try {
      const result = await holdThen((child) => child.kill(signal));
      assert.equal(result.signal, signal, result.stderr);
      assertPutBack();
    } finally {
      await putBackKernelAuditState(initial);
    }
  });
}

test('uncaught error: the audit state is put back and the error is still reported', async () => {
  try {
    const result = await holdThen((child) => child.stdin!.write('throw\n'));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /deliberate uncaught error/);
    assertPutBack();
  } finally {
    await putBackKernelAuditState(initial);
  }
});

test('process.exit: the audit state is put back', async () => {
  try {
    const result = await holdThen((child) => child.stdin!.write('exit\n'));
    assert.equal(result.code, 3);
    assertPutBack();
  } finally {
    await putBackKernelAuditState(initial);
  }
});

/** Waits until the kernel state equals the initial one (the guard acts right after the process is gone). */
async function eventuallyPutBack(): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      assertPutBack();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

test('SIGKILL: no hook can run, and the restore guard process puts the state back', async () => {
  try {
    const result = await holdThen((child) => child.kill('SIGKILL'));
    assert.equal(result.signal, 'SIGKILL');
    await eventuallyPutBack();
  } finally {
    await putBackKernelAuditState(initial);
  }
});

for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  test(`client in a worker thread (signals never reach it), ${signal}: the restore guard puts the state back`, async () => {
    try {
      const result = await holdThen((child) => child.kill(signal), WORKER_FIXTURE);
      assert.equal(result.signal, signal);
      await eventuallyPutBack();
    } finally {
      await putBackKernelAuditState(initial);
    }
  });
}
