// A machine left dirty by a killed audit daemon: the kernel's audit pid names a process that is gone (a stale pid,
// made here as ../shared/tools/stale-audit-pid does). Quarry takes the stale pid over and, when it stops, gives the
// kernel back the state it found, the stale pid as 0 (why: test/node-audit/audit-state.ts). A Quarry killed with
// SIGKILL leaves no stale pid behind: its restore guard releases it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  assertAuditPidFree, assertKernelAuditStateRestored, auditctl, auditctlStatus, ensureAuditTools, leaveStaleAuditPid,
  putBackKernelAuditState, readKernelAuditState, waitFor, type KernelAuditState,
} from '../node-audit/audit-state.js';
import { eventually, openAuditLab } from './helpers.js';

const HOLD_PID_FIXTURE = fileURLToPath(new URL('../node-audit/fixtures/hold-audit-pid.ts', import.meta.url));
let initial: KernelAuditState;

before(() => {
  ensureAuditTools();
  initial = readKernelAuditState();
  assertAuditPidFree(initial);
  // A stale pid stays only while audit is off (the kernel resets it at the next record it cannot deliver).
  assert.notEqual(initial.status.get('enabled'), '2', 'the kernel audit configuration is locked (enabled 2): reboot to run these tests');
  if (initial.status.get('enabled') !== '0') auditctl('-e', '0');
});

after(async () => {
  await putBackKernelAuditState(initial);
  assertKernelAuditStateRestored(initial);
});

test('audit_listen=auto takes over a stale audit pid, reads events, and gives back the state found with the pid as 0', async () => {
  const stale = leaveStaleAuditPid();
  const found = readKernelAuditState();
  assert.equal(found.status.get('pid'), String(stale));
  const logged: string[] = [];
  const capture = (obj: object | string, msg?: string): void => void logged.push(typeof obj === 'string' ? obj : msg ?? '');
  const lab = await openAuditLab(['--disable_events=false', '--disable_audit=false', '--audit_allow_config=true'], {
    logger: { debug: capture, info: capture, warn: capture, error: capture },
  });
  try {
    assert.equal(lab.publisher.counters().mode, 'unicast', lab.publisher.status);
    assert.equal(lab.publisher.counters().otherDaemonPid, 0);
    assert.equal(auditctlStatus().get('pid'), String(process.pid));
    assert.ok(logged.some((line) => line.includes(`took over the audit pid ${stale}, left by a process that no longer runs`)), logged.join('\n'));
    const child = spawn('/bin/echo', ['stale-pid', String(stale)], { stdio: 'ignore' });
    await new Promise((resolve) => child.on('exit', resolve));
    await eventually(() => lab.rows(`select cmdline from process_events where pid = ${child.pid}`)[0]?.['cmdline'] === `/bin/echo stale-pid ${stale}`, 'the exec in process_events');
  } finally {
    await lab.close();
  }
  const now = readKernelAuditState();
  assert.equal(now.status.get('pid'), '0', 'the stale pid is given back as 0');
  assertKernelAuditStateRestored(found, now, 'the publisher put the kernel back by itself');
});

test('read-only (no --audit_allow_config) with audit off: audit_listen=auto still takes the stale pid, nobody\'s, and gives back 0', async () => {
  const stale = leaveStaleAuditPid();
  const found = readKernelAuditState();
  const lab = await openAuditLab(['--disable_events=false', '--disable_audit=false']);
  try {
    // Nothing made the kernel notice the dead daemon (audit stays off): only the liveness check can tell it is stale.
    assert.equal(auditctlStatus().get('enabled'), '0');
    assert.equal(lab.publisher.counters().mode, 'unicast', lab.publisher.status);
    assert.equal(auditctlStatus().get('pid'), String(process.pid));
    assert.doesNotMatch(lab.publisher.status, new RegExp(`beside audit daemon pid ${stale}`));
  } finally {
    await lab.close();
  }
  assert.equal(auditctlStatus().get('pid'), '0', 'the stale pid is given back as 0');
  assertKernelAuditStateRestored(found);
});

test('kill -9 of a process holding the audit pid with audit off: its restore guard releases the pid (no stale pid left)', async () => {
  const found = readKernelAuditState();
  const child = spawn(process.execPath, ['--import', 'tsx', HOLD_PID_FIXTURE], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  // stderr closes once the child and the guard it started (which writes to the same stderr) have both exited.
  const stderrClosed = new Promise((resolve) => child.stderr.on('close', resolve));
  try {
    await waitFor(() => stdout.includes('READY') || child.exitCode !== null, 15_000, 'the fixture to take the audit pid');
    assert.equal(auditctlStatus().get('pid'), String(child.pid), stderr);
    assert.equal(auditctlStatus().get('enabled'), '0');
    child.kill('SIGKILL');
    await waitFor(() => auditctlStatus().get('pid') === '0', 5000, `the guard to release the audit pid of the killed process (${stderr})`);
    await stderrClosed;
    assert.match(stderr, new RegExp(`restore guard: pid ${child.pid} ended without restoring the audit state; released its audit pid`));
    assertKernelAuditStateRestored(found);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
