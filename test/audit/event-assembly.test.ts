// Event assembly from records (by audit id until EOE), argv order, bounded flush of incomplete events, own pid,
// failed syscalls, user records, and serial gap accounting. Record texts are in the kernel's format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuditRecord, type AuditRecord } from 'node-audit';
import { AuditEventAssembler, SerialGapTracker } from '@quarry/publishers/audit/index';

function rec(type: number, text: string): AuditRecord {
  const r = parseAuditRecord(type, text);
  if (!r.ok) throw new Error(r.error);
  return r.record;
}

const ids = 'auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0';
const syscall = (serial: number, nr: number, pid: number, extra = 'success=yes exit=0'): AuditRecord =>
  rec(1300, `audit(1700000000.100:${serial}): arch=c000003e syscall=${nr} ${extra} a0=3 a1=0 items=2 ppid=1 pid=${pid} ${ids} tty=(none) ses=1 comm="x" exe="/usr/bin/x" key=(null)`);
const eoe = (serial: number): AuditRecord => rec(1320, `audit(1700000000.100:${serial}):`);
const newAssembler = (incompleteAfterMs = 5000): AuditEventAssembler =>
  new AuditEventAssembler({ failureAllowedSyscalls: new Set([42, 49, 43, 288]), allowSelinux: false, allowApparmor: false, allowSeccomp: false, incompleteAfterMs, ownPid: 4242 });

test('records with the same id form one event, interleaved events separate, emitted at EOE with argv in numeric order', () => {
  const a = newAssembler();
  const args = Array.from({ length: 12 }, (_, i) => `arg${i}`);
  const execve = rec(1309, `audit(1700000000.100:7): argc=12 ${args.map((v, i) => `a${i}="${v}"`).reverse().join(' ')}`);
  const out = a.push([
    syscall(7, 59, 100),
    syscall(8, 59, 101),
    execve,
    rec(1307, 'audit(1700000000.100:7): cwd="/tmp"'),
    rec(1302, 'audit(1700000000.100:7): item=0 name="/usr/bin/x" mode=0100755 ouid=0 ogid=0'),
    eoe(8),
  ], 0);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.serial, 8);
  assert.equal(a.pendingCount, 1);
  const [done] = a.push([eoe(7)], 1);
  assert.equal(done!.kind, 'syscall');
  assert.equal(done!.syscall!.name, 'execve');
  assert.deepEqual(done!.argv, args);
  assert.equal(done!.argvComplete, true);
  assert.deepEqual(done!.records.map((r) => r.typeName), ['SYSCALL', 'EXECVE', 'CWD', 'PATH']);
  assert.equal(done!.incomplete, false);
});

test('events that never get EOE are flushed as incomplete after the timeout, not kept forever', () => {
  const a = newAssembler(1000);
  a.push([syscall(9, 59, 100)], 0);
  assert.deepEqual(a.flushExpired(999), []);
  const flushed = a.flushExpired(1000);
  assert.equal(flushed.length, 1);
  assert.equal(flushed[0]!.incomplete, true);
  assert.equal(a.stats.incomplete, 1);
  assert.equal(a.pendingCount, 0);
});

test('own pid, failed non-socket syscalls and malformed SYSCALL records are dropped; failed connect is kept', () => {
  const a = newAssembler();
  const out = a.push([
    syscall(10, 59, 4242), eoe(10),
    syscall(11, 59, 100, 'success=no exit=-2'), eoe(11),
    syscall(12, 42, 100, 'success=no exit=-115'), eoe(12),
    rec(1300, 'audit(1700000000.100:13): arch=c000003e syscall=59 pid=abc'), eoe(13),
    rec(1302, 'audit(1700000000.100:99): item=0 name="/orphan"'),
  ], 0);
  assert.deepEqual(out.map((e) => [e.serial, e.syscall?.name, e.syscall?.success, e.syscall?.exit]), [[12, 'connect', false, '-115']]);
  assert.equal(a.stats.droppedSyscalls, 3);
  assert.equal(a.stats.orphans, 4); // three EOEs of dropped syscalls and the PATH of an unknown id
});

test('USER_* records are events at once; control, daemon and CONFIG_CHANGE records are filtered', () => {
  const a = newAssembler();
  const out = a.push([
    rec(1112, "audit(1700000000.100:20): pid=5 uid=0 auid=1000 ses=2 msg='op=login acct=\"bob\" exe=\"/usr/sbin/sshd\" hostname=? addr=10.0.0.1 terminal=ssh res=success'"),
    rec(1305, 'audit(1700000000.100:21): op=set audit_pid=1 old=0 res=1'),
    rec(1005, "audit(1700000000.100:22): pid=5 uid=0 msg='hello'"),
    rec(1400, 'audit(1700000000.100:23): avc:  denied  { read } for pid=1'),
  ], 0);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.kind, 'user');
  assert.equal(out[0]!.records[0]!.fields.get('msg'), 'op=login acct="bob" exe="/usr/sbin/sshd" hostname=? addr=10.0.0.1 terminal=ssh res=success');
  assert.equal(a.stats.filtered, 3);
});

test('the pending map is bounded: the oldest event is flushed when it overflows', () => {
  const a = new AuditEventAssembler({ failureAllowedSyscalls: new Set(), allowSelinux: false, allowApparmor: false, allowSeccomp: false, maxPending: 3, ownPid: 1 });
  const out = a.push([syscall(1, 59, 9), syscall(2, 59, 9), syscall(3, 59, 9), syscall(4, 59, 9)], 0);
  assert.deepEqual(out.map((e) => [e.serial, e.incomplete]), [[1, true]]);
  assert.equal(a.pendingCount, 3);
});

test('serial gaps: late arrivals within the grace time are not lost; missing ones are counted', () => {
  const g = new SerialGapTracker(100);
  g.see(10, 0);
  g.see(13, 0); // 11, 12 missing
  g.see(11, 50); // late
  assert.equal(g.settle(99), 0);
  assert.equal(g.settle(100), 1);
  assert.equal(g.late, 1);
  g.see(14, 200);
  assert.equal(g.settle(1000), 1);
});

test('SECCOMP, SELinux and AppArmor records are one-record events only when their flag allows them; otherwise filtered', () => {
  const seccomp = rec(1326, 'audit(1700000000.300:40): auid=1000 uid=1000 gid=1000 ses=2 pid=77 comm="sh" exe=2F746D702F6D7920736821 sig=31 arch=c000003e syscall=110 compat=0 ip=0x7f00 code=0x80000000');
  const selinuxAvc = rec(1400, 'audit(1700000000.300:41): avc:  denied  { read } for  pid=77 comm="cat" name="shadow" scontext=u:r:t:s0 tcontext=u:r:shadow_t:s0 tclass=file permissive=0');
  const userAvc = rec(1107, "audit(1700000000.300:42): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='avc:  denied  { status } for scontext=u:r:t:s0 tclass=system exe=\"/usr/lib/systemd/systemd\"'");
  const apparmorAvc = rec(1400, 'audit(1700000000.300:43): apparmor="DENIED" operation="open" profile="/usr/sbin/cupsd" name="/etc/shadow" pid=78 comm="cupsd" requested_mask="r" denied_mask="r" fsuid=0 ouid=0');
  const policyLoad = rec(1403, 'audit(1700000000.300:44): auid=4294967295 ses=4294967295 lsm=selinux res=1');
  const records = [seccomp, selinuxAvc, userAvc, apparmorAvc, policyLoad];
  const assembler = (allow: { selinux: boolean; apparmor: boolean; seccomp: boolean }) =>
    new AuditEventAssembler({ failureAllowedSyscalls: new Set(), allowSelinux: allow.selinux, allowApparmor: allow.apparmor, allowSeccomp: allow.seccomp, ownPid: 1 });

  const none = assembler({ selinux: false, apparmor: false, seccomp: false });
  assert.deepEqual(none.push(records, 0), []);
  assert.equal(none.stats.filtered, 5);
  assert.equal(none.stats.orphans + none.stats.droppedSyscalls, 0, 'filtered records are not orphans or dropped syscalls');

  const all = assembler({ selinux: true, apparmor: true, seccomp: true });
  const out = all.push(records, 0);
  assert.deepEqual(out.map((e) => [e.kind, e.serial, e.records.length, e.incomplete]), [
    ['seccomp', 40, 1, false], ['selinux', 41, 1, false], ['selinux', 42, 1, false], ['apparmor', 43, 1, false], ['selinux', 44, 1, false],
  ]);
  assert.equal(out[0]!.exe, '/tmp/my sh!', 'the hex-encoded exe is decoded');
  assert.equal(out[0]!.records[0]!.text, seccomp.text);
  assert.equal(out[0]!.auditTime, 1700000000);
  assert.equal(all.stats.filtered, 0);
  assert.equal(all.pendingCount, 0);

  // Each flag alone lets only its own records through.
  for (const [flag, kinds] of [['seccomp', ['seccomp']], ['selinux', ['selinux', 'selinux', 'selinux']], ['apparmor', ['apparmor']]] as const) {
    const one = assembler({ selinux: flag === 'selinux', apparmor: flag === 'apparmor', seccomp: flag === 'seccomp' });
    assert.deepEqual(one.push(records, 0).map((e) => e.kind), [...kinds], flag);
    assert.equal(one.stats.filtered, records.length - kinds.length, flag);
  }
});

test('a SECCOMP record that shares its id with a pending syscall event is still its own event, and the syscall event is unchanged', () => {
  const a = new AuditEventAssembler({ failureAllowedSyscalls: new Set(), allowSelinux: false, allowApparmor: false, allowSeccomp: true, ownPid: 1 });
  const out = a.push([
    syscall(50, 59, 100),
    rec(1326, 'audit(1700000000.100:50): auid=1000 uid=0 gid=0 ses=1 pid=100 comm="x" exe="/usr/bin/x" sig=0 arch=c000003e syscall=59 compat=0 ip=0x1 code=0x7ffc0000'),
    eoe(50),
  ], 0);
  assert.deepEqual(out.map((e) => [e.kind, e.records.map((r) => r.typeName)]), [['seccomp', ['SECCOMP']], ['syscall', ['SYSCALL']]]);
});
