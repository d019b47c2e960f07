// Status get/set and rule add/list/delete against the real kernel, checked with Debian's auditctl.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { AuditClient, AuditError, formatRule, hostAuditArch, syscallNumber, syscallRule, syscallTable, type AuditArchName } from 'node-audit';
import { assertKernelAuditStateRestored, auditctl, auditctlRules, auditctlStatus, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, type KernelAuditState } from './audit-state.js';

let initial: KernelAuditState;

before(() => {
  ensureAuditTools();
  initial = readKernelAuditState();
});

after(async () => {
  await putBackKernelAuditState(initial);
  const now = readKernelAuditState();
  assertKernelAuditStateRestored(initial, now);
});

test('getStatus agrees with auditctl -s', async () => {
  const client = AuditClient.open();
  try {
    const status = await client.getStatus();
    const sync = client.getStatusSync();
    const ctl = auditctlStatus();
    for (const s of [status, sync]) {
      assert.equal(String(s.enabled), ctl.get('enabled'));
      assert.equal(String(s.failure), ctl.get('failure'));
      assert.equal(String(s.pid), ctl.get('pid'));
      assert.equal(String(s.rateLimit), ctl.get('rate_limit'));
      assert.equal(String(s.backlogLimit), ctl.get('backlog_limit'));
      assert.equal(String(s.backlogWaitTime), ctl.get('backlog_wait_time'));
    }
  } finally {
    await client.close();
  }
});

test('setStatus changes what auditctl shows, and close puts back exactly what was found', async () => {
  const before = readKernelAuditState();
  const client = AuditClient.open();
  try {
    const found = await client.getStatus();
    const change = {
      enabled: 1,
      failure: found.failure === 1 ? 0 : 1,
      rateLimit: found.rateLimit + 17,
      backlogLimit: found.backlogLimit + 123,
      backlogWaitTime: found.backlogWaitTime === 15000 ? 14000 : 15000,
    };
    await client.setStatus(change);
    const ctl = auditctlStatus();
    assert.equal(ctl.get('enabled'), '1');
    assert.equal(ctl.get('failure'), String(change.failure));
    assert.equal(ctl.get('rate_limit'), String(change.rateLimit));
    assert.equal(ctl.get('backlog_limit'), String(change.backlogLimit));
    assert.equal(ctl.get('backlog_wait_time'), String(change.backlogWaitTime));
    assert.deepEqual(client.foundStatus()?.backlogLimit, found.backlogLimit);
  } finally {
    await client.close();
  }
  assertKernelAuditStateRestored(before);
});

test('never turns audit off when it was found on', async () => {
  const before = readKernelAuditState();
  try {
    auditctl('-e', '1');
    const client = AuditClient.open();
    await client.setStatus({ enabled: 1, backlogLimit: Number(before.status.get('backlog_limit')) + 5 });
    await client.close();
    const ctl = auditctlStatus();
    assert.equal(ctl.get('enabled'), '1');
    assert.equal(ctl.get('backlog_limit'), before.status.get('backlog_limit'));
  } finally {
    await putBackKernelAuditState(before);
  }
});

test('rules added here show in auditctl -l; rules added by auditctl read back identically; delete removes them', async () => {
  const arch = hostAuditArch();
  assert.ok(arch, `no syscall table for ${process.arch}`);
  const key = `quarry-test-${process.pid}`;
  const rules = [
    syscallRule({ arch, syscalls: ['execve', 'execveat'], key }),
    syscallRule({ arch, syscalls: ['bind', 'connect', 'accept', 'accept4'], key: `${key}-net`, fields: [{ field: 'success', op: '=', value: 1 }, { field: 'auid', op: '!=', value: -1 }] }),
    { list: 'exit' as const, action: 'never' as const, syscalls: 'all' as const, fields: [{ field: 'arch' as const, op: '=' as const, value: syscallRule({ arch, syscalls: [] }).fields[0]!.value }, { field: 'pid' as const, op: '=' as const, value: 1 }] },
  ];
  const client = AuditClient.open();
  try {
    for (const rule of rules) await client.addRule(rule);
    const shown = auditctlRules();
    const expected = rules.map((r) => formatRule(r, arch));
    for (const line of expected) assert.ok(shown.includes(line), `auditctl -l shows ${JSON.stringify(shown)}, missing ${line}`);
    const listed = await client.listRules();
    for (const rule of rules) assert.ok(listed.some((r) => JSON.stringify(r) === JSON.stringify({ ...rule, fields: rule.fields.map((f) => ({ ...f, value: typeof f.value === 'number' ? f.value >>> 0 : f.value })) })), `listRules is missing ${formatRule(rule, arch)}`);

    await assert.rejects(client.addRule(rules[0]!), (e: unknown) => e instanceof AuditError && e.code === 'EEXIST' && /already has this exact rule/.test(e.message));
    for (const rule of rules) await client.deleteRule(rule);
    for (const line of expected) assert.ok(!auditctlRules().includes(line), `${line} should be gone`);
    await assert.rejects(client.deleteRule(rules[0]!), (e: unknown) => e instanceof AuditError && e.code === 'ENOENT' && /no such rule/.test(e.message));

    // The other direction: auditctl installs the rules, node-audit reads them back and spells them the same way.
    for (const line of expected) execFileSync('auditctl', line.split(' '));
    const fromAuditctl = auditctlRules();
    const readBack = (await client.listRules()).map((r) => formatRule(r, arch));
    for (const line of fromAuditctl) assert.ok(readBack.includes(line), `listRules shows ${JSON.stringify(readBack)}, missing ${line}`);
    for (const rule of rules) await client.deleteRule(rule);
    assert.deepEqual(auditctlRules(), initial.rules);
  } finally {
    await client.close();
  }
});

test('close deletes the rules this client added and leaves others alone', async () => {
  const arch = hostAuditArch()!;
  const theirs = `-a always,exit -F arch=b64 -S kill -F key=other-${process.pid}`;
  execFileSync('auditctl', theirs.split(' '));
  try {
    const client = AuditClient.open();
    const mine = syscallRule({ arch, syscalls: ['execve'], key: `mine-${process.pid}` });
    await client.addRule(mine);
    assert.equal(client.ownedRules().length, 1);
    await client.close();
    const left = auditctlRules();
    assert.ok(left.includes(theirs));
    assert.ok(!left.includes(formatRule(mine, arch)));
  } finally {
    spawnSync('auditctl', theirs.replace('-a', '-d').split(' '));
  }
});

test('syscall tables match ausyscall for x86_64 and aarch64', () => {
  for (const arch of ['x86_64', 'aarch64'] as AuditArchName[]) {
    for (const [name, nr] of syscallTable(arch)) {
      const out = execFileSync('ausyscall', [arch, name, '--exact'], { encoding: 'utf8' }).trim();
      assert.equal(Number(out), nr, `${arch} ${name}`);
    }
  }
  assert.equal(syscallNumber('aarch64', 'fork'), undefined);
  assert.equal(syscallNumber('x86_64', 'pread64'), syscallNumber('x86_64', 'pread'));
});

test('without root the errors say so (EPERM: not root / missing CAP_AUDIT_CONTROL)', () => {
  const script = `
    process.setgid(65534); process.setuid(65534);
    const { AuditClient } = await import('node-audit');
    const c = AuditClient.open();
    try { await c.setStatus({ backlogLimit: 1234 }); console.log('no error'); }
    catch (e) { console.log(e.code + ' | ' + e.message); }
    finally { c.closeSync(); }`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: new URL('.', import.meta.url).pathname }).trim();
  assert.match(out, /^EPERM \| get audit status failed: EPERM — not root \/ missing CAP_AUDIT_CONTROL/);
});
