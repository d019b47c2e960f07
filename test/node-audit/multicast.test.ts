// Listening read-only on the multicast read-log group while another audit daemon (Debian's auditd, started here and
// stopped after) holds the audit pid.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { AuditClient, AuditError, AuditRecordParser, execveArguments, hostAuditArch, syscallRule, type AuditMessage, type AuditRecord } from 'node-audit';
import { assertAuditPidFree, assertKernelAuditStateRestored, auditctlStatus, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, waitFor, type KernelAuditState } from './audit-state.js';

let initial: KernelAuditState;
let auditd: ChildProcess | undefined;

async function stopAuditd(): Promise<void> {
  const child = auditd;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

before(async () => {
  ensureAuditTools();
  initial = readKernelAuditState();
  assertAuditPidFree(initial);
  // -n: stay in the foreground as our child; -s nochange: leave the kernel's enabled flag alone.
  auditd = spawn('auditd', ['-n', '-s', 'nochange'], { stdio: 'ignore' });
  await waitFor(() => auditctlStatus().get('pid') === String(auditd!.pid), 5000, 'auditd to take the audit pid');
});

after(async () => {
  await stopAuditd();
  await waitFor(() => auditctlStatus().get('pid') === '0', 5000, 'auditd to release the audit pid');
  await putBackKernelAuditState(initial);
  assertKernelAuditStateRestored(initial);
});

test('unicast is refused while auditd holds the pid, with an error saying to use multicast', async () => {
  const client = AuditClient.open();
  try {
    await assert.rejects(client.openReader({ mode: 'unicast' }), (e: unknown) => e instanceof AuditError && e.code === 'EEXIST' && /multicast/.test(e.message));
    assert.equal(auditctlStatus().get('pid'), String(auditd!.pid));
  } finally {
    await client.close();
  }
  assert.equal(auditctlStatus().get('pid'), String(auditd!.pid), 'closing must not disturb auditd');
});

test('auto mode listens on multicast beside auditd; both see the same user message and exec', async () => {
  const arch = hostAuditArch()!;
  const client = AuditClient.open();
  const received: AuditMessage[] = [];
  const key = `quarry-mc-${process.pid}`;
  try {
    await client.setStatus({ enabled: 1 });
    await client.addRule(syscallRule({ arch, syscalls: ['execve'], key }));
    const reader = await client.openReader({ mode: 'auto' });
    assert.equal(reader.mode, 'multicast');
    reader.on('batch', (batch) => received.push(...batch));
    const text = `quarry multicast ${process.pid} ${Date.now()}`;
    await client.sendUserMessage(text);
    const child = spawn('/bin/echo', ['multicast', 'with space'], { stdio: 'ignore' });
    await new Promise((resolve) => child.on('exit', resolve));
    const parser = new AuditRecordParser();
    let execEvent: AuditRecord[] = [];
    await waitFor(() => {
      const records = received.map((m) => parser.parse(m.type, m.text)).filter((r): r is AuditRecord => r !== undefined);
      const syscall = records.find((r) => r.typeName === 'SYSCALL' && r.fields.get('pid') === String(child.pid));
      execEvent = syscall ? records.filter((r) => r.id === syscall.id) : [];
      return received.some((m) => m.type === 1005 && m.text.includes(text)) && execEvent.some((r) => r.typeName === 'EOE');
    }, 5000, 'the user message and the exec on the multicast group');
    const argv = execveArguments(execEvent.filter((r) => r.typeName === 'EXECVE'));
    assert.ok(argv.ok);
    assert.deepEqual(argv.argv, ['/bin/echo', 'multicast', 'with space']);
    assert.equal(auditctlStatus().get('pid'), String(auditd!.pid), 'auditd still holds the pid');
    // auditd got the same message through its unicast socket.
    await waitFor(() => readFileSync('/var/log/audit/audit.log', 'utf8').includes(text), 5000, 'auditd to log the message');
    assert.equal(parser.rejected, 0, parser.lastError);
  } finally {
    await client.close();
  }
  assert.equal(auditctlStatus().get('pid'), String(auditd!.pid), 'closing a multicast reader leaves auditd as the daemon');
});
