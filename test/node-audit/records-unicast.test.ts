// Taking the audit pid and receiving real records: EXECVE of a spawned /bin/echo with exact arguments, and
// userspace messages sent through the kernel and back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  AuditClient, AuditRecordParser, decodeAuditString, execveArguments, hostAuditArch, syscallRule,
  type AuditMessage, type AuditRecord,
} from 'node-audit';
import { assertAuditPidFree, assertKernelAuditStateRestored, auditctlRules, auditctlStatus, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, waitFor, type KernelAuditState } from './audit-state.js';

let initial: KernelAuditState;

before(() => {
  ensureAuditTools();
  initial = readKernelAuditState();
  assertAuditPidFree(initial);
});

after(async () => {
  await putBackKernelAuditState(initial);
  const now = readKernelAuditState();
  assertKernelAuditStateRestored(initial, now);
});

async function runToExit(file: string, args: string[]): Promise<number> {
  const child = spawn(file, args, { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

test('unicast: receives the SYSCALL, EXECVE, CWD, PATH, PROCTITLE and EOE records of /bin/echo with its exact arguments', async () => {
  const arch = hostAuditArch()!;
  const client = AuditClient.open();
  const received: AuditMessage[] = [];
  try {
    await client.setStatus({ enabled: 1 });
    // An exec rule already in the kernel (one a killed agent left) matches first, and the record carries its key.
    const earlierExecRules = auditctlRules().filter((rule) => /-S \S*execve/.test(rule));
    await client.addRule(syscallRule({ arch, syscalls: ['execve', 'execveat'], key: `quarry-exec-${process.pid}` }));
    const reader = await client.openReader({ mode: 'unicast' });
    assert.equal(reader.mode, 'unicast');
    assert.equal(auditctlStatus().get('pid'), String(process.pid));
    reader.on('batch', (batch) => received.push(...batch));

    const args = ['hello world', 'quote"d', 'ünïcödé', '', 'tab\there', 'plain', 'x'.repeat(10000), 'a b"'.repeat(3000)];
    const pid = await runToExit('/bin/echo', args);

    const parser = new AuditRecordParser();
    const byId = (): Map<string, AuditRecord[]> => {
      const m = new Map<string, AuditRecord[]>();
      for (const msg of received) {
        const r = parser.parse(msg.type, msg.text);
        if (r) m.set(r.id, [...(m.get(r.id) ?? []), r]);
      }
      return m;
    };
    let event: AuditRecord[] | undefined;
    await waitFor(() => {
      event = [...byId().values()].find((rs) => rs.some((r) => r.typeName === 'SYSCALL' && r.fields.get('pid') === String(pid)) && rs.some((r) => r.typeName === 'EOE'));
      return event !== undefined;
    }, 5000, `the exec records of pid ${pid}`);
    const types = new Set(event!.map((r) => r.typeName));
    for (const t of ['SYSCALL', 'EXECVE', 'CWD', 'PATH', 'PROCTITLE', 'EOE']) assert.ok(types.has(t), `missing ${t} in ${[...types].join(',')}`);
    const syscall = event!.find((r) => r.typeName === 'SYSCALL')!;
    assert.equal(decodeAuditString(syscall.fields.get('exe')!), '/usr/bin/echo');
    const key = decodeAuditString(syscall.fields.get('key')!);
    if (earlierExecRules.length === 0) assert.equal(key, `quarry-exec-${process.pid}`);
    else assert.ok(key === '(null)' || earlierExecRules.some((rule) => rule.endsWith(`-k ${key}`)), `key ${key} of an earlier rule: ${JSON.stringify(earlierExecRules)}`);
    const argv = execveArguments(event!.filter((r) => r.typeName === 'EXECVE'));
    assert.ok(argv.ok);
    assert.equal(argv.complete, true);
    assert.deepEqual(argv.argv, ['/bin/echo', ...args]);
    assert.equal(decodeAuditString(event!.find((r) => r.typeName === 'CWD')!.fields.get('cwd')!), process.cwd());
    assert.equal(parser.rejected, 0, parser.lastError);
    assert.equal(reader.stats().malformed, 0);
  } finally {
    await client.close();
  }
  assert.equal(auditctlStatus().get('pid'), '0');
  assert.deepEqual(auditctlRules(), initial.rules);
});

test('userspace messages (AUDIT_USER and USER_CMD) come back as records with the text in msg', async () => {
  const client = AuditClient.open();
  const received: AuditMessage[] = [];
  try {
    await client.setStatus({ enabled: 1 });
    const reader = await client.openReader({ mode: 'unicast' });
    reader.on('batch', (batch) => received.push(...batch));
    const text = `quarry roundtrip ${process.pid} ${Date.now()} op=test res=success`;
    await client.sendUserMessage(text);
    await client.sendUserMessage(`cmd ${text}`, 1123);
    const parser = new AuditRecordParser();
    await waitFor(() => received.filter((m) => m.text.includes(text)).length >= 2, 5000, 'both user messages');
    const user = received.find((m) => m.type === 1005 && m.text.includes(text))!;
    const cmd = received.find((m) => m.type === 1123 && m.text.includes(text))!;
    const u = parser.parse(user.type, user.text)!;
    const c = parser.parse(cmd.type, cmd.text)!;
    assert.equal(u.typeName, 'USER');
    assert.equal(u.fields.get('msg'), text);
    assert.equal(u.fields.get('pid'), String(process.pid));
    assert.equal(u.fields.get('res'), 'success');
    assert.equal(c.typeName, 'USER_CMD');
    assert.equal(c.fields.get('msg'), `cmd ${text}`);
    await assert.rejects(client.sendUserMessage('x', 1300), /user message type must be 1005, 1100-1199 or 2100-2999/);
  } finally {
    await client.close();
  }
  assertKernelAuditStateRestored(initial);
});

test('the event loop keeps running while the reader waits for records', async () => {
  const client = AuditClient.open();
  try {
    const reader = await client.openReader({ mode: 'unicast' });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    await waitFor(() => ticks >= 20, 5000, 'twenty timer ticks');
    clearInterval(timer);
    assert.ok(reader.running);
    assert.equal(await reader.stop(), true, 'the worker released the audit pid');
    assert.equal(auditctlStatus().get('pid'), '0');
  } finally {
    await client.close();
  }
});
