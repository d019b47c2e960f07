// Bad and constrained conditions on the real kernel: without --audit_allow_config Quarry changes nothing (status and
// rules identical before, during and after), audit disabled in the kernel is reported, a tiny backlog under an exec
// storm makes the kernel lose records and Quarry reports the count; the immutable kernel (enabled=2) is covered by
// unit tests of the decision function only (setting it cannot be undone without a reboot); garbage netlink records
// never throw out of the publisher and are counted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fc from 'fast-check';
import { Flags } from '@quarry/config';
import { AuditPublisher, planAuditConfiguration } from '@quarry/publishers/audit/index';
import { parseAuditRecord } from 'node-audit';
import { assertAuditPidFree, assertKernelAuditStateRestored, auditctl, auditctlStatus, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, settable, type KernelAuditState } from '../node-audit/audit-state.js';
import { eventually, openAuditLab } from './helpers.js';

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

function withoutPid(state: KernelAuditState): Record<string, string | undefined> {
  const { pid: _pid, ...rest } = settable(state);
  return rest;
}

function publisherStatus(lab: { rows(sql: string): Record<string, unknown>[] }): string {
  return String(lab.rows(`select status from osquery_events where name = 'auditeventpublisher'`)[0]?.['status']);
}

test('without --audit_allow_config: nothing in the kernel changes (before, during, after), and the installed rules are read', async () => {
  // The administrator's own configuration: audit on, an execve rule, odd backlog values.
  auditctl('-e', '1');
  auditctl('-b', '321');
  auditctl('--backlog_wait_time', '1234');
  auditctl('-a', 'always,exit', '-F', 'arch=b64', '-S', 'execve', '-k', 'admin-exec');
  const before = readKernelAuditState();
  const lab = await openAuditLab(['--disable_events=false', '--disable_audit=false']);
  try {
    const during = readKernelAuditState();
    assert.deepEqual(withoutPid(during), withoutPid(before));
    assert.deepEqual(during.rules, before.rules);
    const child = spawn('/bin/echo', ['read-only', String(process.pid)], { stdio: 'ignore' });
    await new Promise((resolve) => child.on('exit', resolve));
    await eventually(() => lab.rows(`select cmdline from process_events where pid = ${child.pid}`)[0]?.['cmdline'] === `/bin/echo read-only ${process.pid}`, 'the exec seen through the administrator\'s rule');
    assert.match(publisherStatus(lab), /read-only: --audit_allow_config=false, so Quarry changes nothing/);
    assert.equal(lab.publisher.counters().configured, false);
    assert.equal(lab.publisher.counters().ruleInstalled, false);
  } finally {
    await lab.close();
  }
  const afterwards = readKernelAuditState();
  assertKernelAuditStateRestored(before, afterwards);
  await putBackKernelAuditState(initial);
});

test('audit disabled in the kernel without --audit_allow_config: read-only, reported in osquery_events, kernel untouched', async () => {
  auditctl('-e', '0');
  const before = readKernelAuditState();
  const lab = await openAuditLab(['--disable_events=false', '--disable_audit=false']);
  try {
    assert.equal(auditctlStatus().get('enabled'), '0');
    const status = publisherStatus(lab);
    assert.match(status, /read-only: Linux audit is disabled in the kernel \(enabled=0\) and --audit_allow_config=false/);
    assert.match(status, /auditctl -e 1/);
  } finally {
    await lab.close();
  }
  assertKernelAuditStateRestored(before);
  await putBackKernelAuditState(initial); // audit was turned off by this test, not by Quarry: back as the file found it
});

test('immutable kernel (enabled=2), unit-tested only: always read-only with a clear reason, whatever the flags', () => {
  const settings = { allowConfig: true, backlogLimit: 4096, backlogWaitTime: 0 };
  const locked = planAuditConfiguration({ enabled: 2 }, settings);
  assert.equal(locked.kind, 'read-only');
  assert.match(locked.kind === 'read-only' ? locked.reason : '', /immutable \(enabled=2.*until reboot/);
  assert.equal(planAuditConfiguration({ enabled: 2 }, { ...settings, allowConfig: false }).kind, 'read-only');
  const off = planAuditConfiguration({ enabled: 0 }, settings);
  assert.deepEqual(off.kind === 'configure' ? off.change : undefined, { enabled: 1, backlogLimit: 4096, backlogWaitTime: 0, failure: 0 });
  const on = planAuditConfiguration({ enabled: 1 }, settings);
  assert.deepEqual(on.kind === 'configure' ? on.change : undefined, { backlogLimit: 4096, backlogWaitTime: 0, failure: 0 }, 'never sets enabled when audit is on');
  assert.equal(planAuditConfiguration({ enabled: 1 }, { ...settings, allowConfig: false }).kind, 'read-only');
  const disabled = planAuditConfiguration({ enabled: 0 }, { ...settings, allowConfig: false });
  assert.equal(disabled.kind === 'read-only' && disabled.recordsExpected, false);
});

test('a backlog limit of 8 under an exec storm: the kernel loses records and Quarry reports the count, not hides it', async () => {
  const lab = await openAuditLab(['--disable_events=false', '--disable_audit=false', '--audit_allow_config=true', '--audit_backlog_limit=8', '--audit_backlog_wait_time=0', '--audit_allow_user_events=false']);
  try {
    assert.equal(auditctlStatus().get('backlog_limit'), '8');
    const lostBefore = Number(auditctlStatus().get('lost'));
    const storms = [0, 1].map(() => spawn('sh', ['-c', 'i=0; while [ $i -lt 1500 ]; do /bin/true; i=$((i+1)); done'], { stdio: 'ignore' }));
    await Promise.all(storms.map((c) => new Promise((resolve) => c.on('exit', resolve))));
    const lostAfter = Number(auditctlStatus().get('lost'));
    assert.ok(lostAfter > lostBefore, `the kernel lost records (lost ${lostBefore} → ${lostAfter})`);
    const counters = await lab.publisher.refreshKernelStatus();
    assert.ok(counters.kernelLost >= lostAfter - lostBefore, `counters().kernelLost ${counters.kernelLost} ≥ ${lostAfter - lostBefore}`);
    // The kernel's own counter, read by Quarry after ours (it may still grow: the queue is tiny).
    assert.ok(counters.kernelLostTotal >= lostAfter && counters.kernelLostTotal <= Number(auditctlStatus().get('lost')));
    assert.match(publisherStatus(lab), new RegExp(`kernel lost ${counters.kernelLost} since start`));
  } finally {
    await lab.close();
  }
  assertKernelAuditStateRestored(initial);
});

test('property: garbage, truncated and valid records never throw out of the publisher; every rejected record is counted', async () => {
  const { flags } = Flags.parse(['--disable_audit=false'], { mode: 'daemon' });
  const publisher = new AuditPublisher({ flags });
  await publisher.setUp();
  publisher.subscribe('fuzz_events', [{ kinds: ['syscall', 'user', 'selinux', 'apparmor', 'seccomp'] }]);
  let fired = 0;
  publisher.emitter.on('event', () => fired++);
  const header = fc.tuple(fc.integer({ min: 0, max: 2 ** 33 }), fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 2 ** 32 }))
    .map(([s, ms, serial]) => `audit(${s}.${String(ms).padStart(3, '0')}:${serial}): `);
  const field = fc.tuple(fc.constantFrom('pid', 'ppid', 'uid', 'syscall', 'exe', 'argc', 'a0', 'a1', 'a10', 'a1_len', 'a1[0]', 'msg', 'saddr', 'cwd', 'success', 'exit', 'arch'),
    fc.oneof(fc.integer().map(String), fc.string(), fc.constant('"quoted value"'), fc.constant("'op=x res=success'"), fc.constant('2F746D70'), fc.constant('c000003e')))
    .map(([k, v]) => `${k}=${v}`);
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.tuple(header, fc.array(field, { maxLength: 12 })).map(([h, fs]) => h + fs.join(' ')),
    fc.tuple(header, fc.array(field, { maxLength: 12 }), fc.nat(40)).map(([h, fs, cut]) => (h + fs.join(' ')).slice(0, cut)),
  );
  const message = fc.record({ type: fc.oneof(fc.constantFrom(1100, 1112, 1300, 1302, 1306, 1307, 1309, 1320, 1327, 1326, 1400), fc.integer({ min: -1, max: 70000 })), text });
  try {
    fc.assert(fc.property(fc.array(message, { maxLength: 30 }), (messages) => {
      const before = publisher.counters().malformedRecords;
      const rejected = messages.filter((m) => !parseAuditRecord(m.type, m.text).ok).length;
      publisher.handleMessages(messages);
      assert.equal(publisher.counters().malformedRecords - before, rejected);
    }), { numRuns: 300 });
    assert.equal(publisher.counters().internalErrors, 0);
    assert.ok(publisher.counters().malformedRecords > 0);
    assert.ok(fired >= 0);
  } finally {
    await publisher.stop();
  }
});
