// The audit publisher's flags: disabled by default; read-only multicast beside a running auditd (audit_listen=auto,
// audit_allow_config=false: the kernel is left untouched); audit_listen=unicast waits for the pid and takes it once
// auditd is gone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { Flags } from '@quarry/config';
import { AuditPublisher, type AuditEventContext } from '@quarry/publishers/audit/index';
import { AuditClient } from 'node-audit';
import { assertAuditPidFree, assertKernelAuditStateRestored, auditctl, auditctlRules, auditctlStatus, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, waitFor, type KernelAuditState } from '../node-audit/audit-state.js';

let initial: KernelAuditState;
let auditd: ChildProcess | undefined;

async function startAuditd(): Promise<ChildProcess> {
  const child = spawn('auditd', ['-n', '-s', 'enable'], { stdio: 'ignore' });
  await waitFor(() => auditctlStatus().get('pid') === String(child.pid), 5000, 'auditd to take the audit pid');
  return child;
}

async function stopAuditd(): Promise<void> {
  const child = auditd;
  auditd = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function flags(...args: string[]): ReturnType<typeof Flags.parse>['flags'] {
  return Flags.parse(args, { mode: 'daemon' }).flags;
}

async function started(publisher: AuditPublisher, kinds: AuditEventContext['kind'][]): Promise<AuditEventContext[]> {
  await publisher.setUp();
  publisher.subscribe('test_events', [{ kinds }]);
  await publisher.configure();
  await publisher.start();
  publisher.markStarted();
  const events: AuditEventContext[] = [];
  publisher.emitter.on('event', (ctx) => events.push(ctx));
  return events;
}

before(() => {
  ensureAuditTools();
  initial = readKernelAuditState();
  assertAuditPidFree(initial);
});

after(async () => {
  await stopAuditd();
  await putBackKernelAuditState(initial);
  assertKernelAuditStateRestored(initial);
});

test('disabled by default, as osquery (--disable_audit=true)', async () => {
  const publisher = new AuditPublisher({ flags: flags() });
  await assert.rejects(publisher.setUp(), /Publisher disabled via configuration \(--disable_audit=true\)/);
  const none = new AuditPublisher({ flags: flags('--disable_audit=false', '--audit_allow_process_events=false', '--audit_allow_user_events=false') });
  await assert.rejects(none.setUp(), /every --audit_allow_\* source flag is false/);
});

test('auto + no allow_config beside auditd: multicast, read-only, says so in status and log, sees user events and execs, leaves auditd and the kernel alone', async () => {
  auditd = await startAuditd();
  // The administrator's rule (auditd -n loads none); Quarry must not add or remove any.
  auditctl('-a', 'always,exit', '-F', 'arch=b64', '-S', 'execve', '-k', 'admin-exec');
  const before = readKernelAuditState();
  const publisher = new AuditPublisher({ flags: flags('--disable_audit=false') });
  const logged: string[] = [];
  const capture = (obj: object | string, msg?: string): void => void logged.push(typeof obj === 'string' ? obj : msg ?? '');
  publisher.attachLogger({ debug: capture, info: capture, warn: capture, error: capture });
  const events = await started(publisher, ['user', 'syscall']);
  try {
    assert.equal(publisher.counters().mode, 'multicast');
    assert.equal(publisher.counters().ruleInstalled, false);
    assert.deepEqual(auditctlRules(), before.rules);
    assert.match(publisher.status, new RegExp(`listening \\(multicast read-log group beside audit daemon pid ${auditd.pid}\\)`));
    assert.match(publisher.status, /serial gaps \d+/);
    assert.ok(logged.some((l) => l.includes(`another audit daemon (pid ${auditd!.pid}, auditd) holds the audit pid: Quarry reads audit records through the multicast read-log group`)), logged.join('\n'));
    assert.equal(publisher.counters().otherDaemonPid, auditd.pid);
    const client = AuditClient.open();
    const text = `op=PAM:session_open acct="multicast${process.pid}" exe="/usr/bin/login" terminal=tty1 res=success`;
    await client.sendUserMessage(text, 1105);
    await client.close();
    await waitFor(() => events.some((e) => e.records[0]!.fields.get('msg') === text), 5000, 'the USER_START event on multicast');
    const event = events.find((e) => e.records[0]!.fields.get('msg') === text)!;
    assert.equal(event.kind, 'user');
    assert.equal(event.records[0]!.typeName, 'USER_START');
    const args = ['multicast-exec', String(process.pid), 'with space'];
    const child = spawn('/bin/echo', args, { stdio: 'ignore' });
    await new Promise((resolve) => child.on('exit', resolve));
    await waitFor(() => events.some((e) => e.kind === 'syscall' && e.records[0]!.fields.get('pid') === String(child.pid)), 5000, 'the exec on multicast');
    const exec = events.find((e) => e.kind === 'syscall' && e.records[0]!.fields.get('pid') === String(child.pid))!;
    assert.deepEqual(exec.argv, ['/bin/echo', ...args]);
  } finally {
    await publisher.stop();
  }
  const after = readKernelAuditState();
  assertKernelAuditStateRestored(before, after);
  assert.equal(after.status.get('pid'), String(auditd.pid));
  await stopAuditd();
  await putBackKernelAuditState(initial);
});

test('unicast while auditd holds the pid: status says so, and the pid is taken once auditd exits', async () => {
  auditd = await startAuditd();
  const publisher = new AuditPublisher({ flags: flags('--disable_audit=false', '--audit_listen=unicast'), retryMs: 200, incompleteAfterMs: 200 });
  await started(publisher, ['syscall']);
  try {
    assert.equal(publisher.counters().mode, 'none');
    assert.match(publisher.status, /Failed to set the netlink owner \(unicast\).*EEXIST/);
    await stopAuditd();
    await waitFor(() => publisher.counters().mode === 'unicast', 5000, 'the publisher to take the audit pid');
    assert.equal(auditctlStatus().get('pid'), String(process.pid));
    assert.ok(publisher.refreshes >= 1);
  } finally {
    await publisher.stop();
  }
  assert.equal(auditctlStatus().get('pid'), '0');
});
