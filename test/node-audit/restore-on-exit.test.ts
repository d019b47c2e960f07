// A process that changed the audit state puts it back when it gets SIGINT or SIGTERM, throws, or exits.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { auditctlRules, auditctlStatus, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, settable, type KernelAuditState } from './audit-state.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/hold-audit.ts', import.meta.url));
let initial: KernelAuditState;

before(() => {
  ensureAuditTools();
  initial = readKernelAuditState();
  assert.equal(initial.status.get('pid'), '0', 'another audit daemon holds the audit pid; stop it before running these tests');
});

after(async () => {
  await putBackKernelAuditState(initial);
  assert.deepEqual(settable(readKernelAuditState()), settable(initial));
});

async function holdThen(action: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { stdio: ['pipe', 'pipe', 'pipe'] });
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
  assert.deepEqual(settable(now), settable(initial));
  assert.deepEqual(now.rules, initial.rules);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
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
