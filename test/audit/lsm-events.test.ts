// seccomp_events, selinux_events and apparmor_events through the whole stack: audit publisher → subscribers → real
// LMDB buffers → SQL engine. seccomp_events on the REAL kernel: python3 processes install a seccomp filter (ctypes,
// prctl/seccomp) that kills them on getppid (SECCOMP_RET_KILL_PROCESS), logs getppid (SECCOMP_RET_LOG) or fails it
// with EPERM under SECCOMP_FILTER_FLAG_LOG; an independent multicast listener (node-audit) sees the kernel's records
// too. This machine has no SELinux or AppArmor (no LSM in securityfs) and userspace may not send type 1400, so
// selinux_events and apparmor_events are fed records in the kernel's exact text format through the publisher's own
// message handler (node-audit's parser, the real assembler, subscribers, ring and SQL). The kernel's audit state is
// put back after, even on failure.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { SeccompEventsSubscriber, seccompEventRow, x86_64SyscallName } from '@quarry/subscribers/seccomp-events/index';
import { SelinuxEventsSubscriber } from '@quarry/subscribers/selinux-events/index';
import { ApparmorEventsSubscriber, apparmorEventRow } from '@quarry/subscribers/apparmor-events/index';
import type { Row } from '@quarry/sql';
import { AuditClient, auditArchValue, hostAuditArch, parseAuditRecord, type AuditMessage, type AuditReader } from 'node-audit';
import { assertAuditPidFree, assertKernelAuditStateRestored, auditctlRules, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, type KernelAuditState } from '../node-audit/audit-state.js';
import { eventually, openAuditLab, type AuditLab } from './helpers.js';

// The child: prints what it is (pid, the interpreter's real path, comm, ids) as one JSON line, installs a filter that
// returns ACTION for syscall NR on arch ARCH (and allows everything else), then calls NR.
const CHILD = String.raw`
import ctypes, json, os, resource, struct, sys
mode, arch, nr, seccomp_nr = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
libc.syscall.restype = ctypes.c_long
action = {'kill': 0x80000000, 'log': 0x7FFC0000, 'errno-log': 0x00050000 | 1}[mode]
def insn(code, jt, jf, k): return struct.pack('HBBI', code, jt, jf, k)
prog = b''.join([
    insn(0x20, 0, 0, 4), insn(0x15, 0, 3, arch),   # ld arch; jeq ARCH ? next : allow
    insn(0x20, 0, 0, 0), insn(0x15, 0, 1, nr),     # ld nr; jeq NR ? next : allow
    insn(0x06, 0, 0, action), insn(0x06, 0, 0, 0x7FFF0000),
])
buf = ctypes.create_string_buffer(prog)
class Fprog(ctypes.Structure):
    _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]
fprog = Fprog(len(prog) // 8, ctypes.cast(buf, ctypes.c_void_p))
def read(path):
    with open(path) as f: return f.read().strip()
me = {'pid': os.getpid(), 'exe': os.readlink('/proc/self/exe'), 'comm': read('/proc/self/comm'), 'uid': os.getuid(),
      'gid': os.getgid(), 'auid': int(read('/proc/self/loginuid')), 'ses': int(read('/proc/self/sessionid'))}
if libc.prctl(38, 1, 0, 0, 0) != 0: sys.exit('PR_SET_NO_NEW_PRIVS failed: errno %d' % ctypes.get_errno())
if mode == 'errno-log':
    if libc.syscall(seccomp_nr, 1, 2, ctypes.byref(fprog)) != 0: sys.exit('seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG) failed: errno %d' % ctypes.get_errno())
elif libc.prctl(22, 2, ctypes.addressof(fprog), 0, 0) != 0: sys.exit('PR_SET_SECCOMP failed: errno %d' % ctypes.get_errno())
sys.stdout.write(json.dumps(me) + '\n'); sys.stdout.flush()
result = libc.syscall(nr)
sys.stdout.write(json.dumps({'result': result, 'errno': ctypes.get_errno()}) + '\n'); sys.stdout.flush()
`;

interface ChildIdentity { pid: number; exe: string; comm: string; uid: number; gid: number; auid: number; ses: number }
interface ChildRun { me: ChildIdentity; after?: { result: number; errno: number }; code: number | null; signal: NodeJS.Signals | null; stderr: string }

const arch = hostAuditArch()!;
/** A syscall's number on this machine, from auditd's ausyscall (an independent table). */
function syscallNumber(name: string): number {
  const out = execFileSync('ausyscall', [name, '--exact'], { encoding: 'utf8' }).trim();
  const nr = Number(out);
  assert.ok(Number.isInteger(nr), `ausyscall ${name} --exact printed ${JSON.stringify(out)}`);
  return nr;
}
const ARCH_LABEL: Record<string, string> = { x86_64: 'X86_64', aarch64: 'AARCH64' };

let initial: KernelAuditState;
let workDir: string;
let childPath: string;
let lab: AuditLab | undefined;
let witness: { client: AuditClient; reader: AuditReader; messages: AuditMessage[] } | undefined;

/** The audit lab (helpers.ts) with the seccomp, SELinux and AppArmor subscribers registered too. */
function openLsmLab(args: string[]): Promise<AuditLab> {
  return openAuditLab(args, {
    moreSubscribers: (flags) => [new SeccompEventsSubscriber({ flags }), new SelinuxEventsSubscriber({ flags }), new ApparmorEventsSubscriber({ flags })],
  });
}

async function openWitness(): Promise<NonNullable<typeof witness>> {
  const client = AuditClient.open();
  const reader = await client.openReader({ mode: 'multicast' });
  const messages: AuditMessage[] = [];
  reader.on('batch', (batch) => messages.push(...batch));
  return { client, reader, messages };
}

async function closeWitness(): Promise<void> {
  const w = witness;
  witness = undefined;
  if (!w) return;
  await w.reader.stop();
  await w.client.close();
}

/** The kernel's SECCOMP records for a pid, as the independent multicast listener received them. */
function witnessed(pid: number): string[] {
  return (witness?.messages ?? []).filter((m) => m.type === 1326 && new RegExp(`\\bpid=${pid}\\b`).test(m.text)).map((m) => m.text);
}

async function runChild(mode: 'kill' | 'log' | 'errno-log'): Promise<ChildRun> {
  const nr = syscallNumber('getppid');
  const seccompNr = syscallNumber('seccomp');
  const child = spawn('python3', [childPath, mode, String(auditArchValue(arch)), String(nr), String(seccompNr)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  const lines = stdout.trim().split('\n').filter((l) => l.length > 0);
  assert.ok(lines.length >= 1, `the ${mode} child printed nothing (code ${code}, signal ${signal}): ${stderr}`);
  const me = JSON.parse(lines[0]!) as ChildIdentity;
  return { me, ...(lines[1] ? { after: JSON.parse(lines[1]) as ChildRun['after'] } : {}), code, signal, stderr };
}

const SECCOMP_COLUMNS = 'time, uptime, auid, uid, gid, ses, pid, comm, exe, sig, arch, syscall, compat, ip, code';

function seccompRows(pid: number): Row[] {
  return lab!.rows(`select ${SECCOMP_COLUMNS} from seccomp_events where pid = ${pid}`);
}

function actionsLogged(): string[] {
  return readFileSync('/proc/sys/kernel/seccomp/actions_logged', 'utf8').trim().split(/\s+/);
}

before(async () => {
  ensureAuditTools();
  initial = readKernelAuditState();
  assertAuditPidFree(initial);
  workDir = mkdtempSync(`${tmpdir()}/quarry-lsm-`);
  childPath = `${workDir}/seccomp_child.py`;
  writeFileSync(childPath, CHILD);
});

after(async () => {
  try {
    await closeWitness();
    await lab?.close();
    lab = undefined;
    const now = readKernelAuditState();
    assertKernelAuditStateRestored(initial, now, 'the publisher put the kernel back by itself');
  } finally {
    await putBackKernelAuditState(initial);
    rmSync(workDir, { recursive: true, force: true });
  }
});

// Records in the kernel's format (security/selinux/avc.c, security/apparmor/audit.c + lib.c, kernel/auditsc.c).
const T = Math.floor(Date.now() / 1000);
const SELINUX_AVC = `audit(${T}.101:9001): avc:  denied  { read } for  pid=4321 comm="cat" name="shadow" dev="vda1" ino=1234 scontext=unconfined_u:unconfined_r:unconfined_t:s0 tcontext=system_u:object_r:shadow_t:s0 tclass=file permissive=0`;
const SELINUX_POLICY_LOAD = `audit(${T}.102:9002): auid=4294967295 ses=4294967295 lsm=selinux res=1`;
const USER_AVC = `audit(${T}.103:9003): pid=1 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:init_t:s0 msg='avc:  denied  { status } for auid=0 uid=0 gid=0 cmd="systemctl status" scontext=unconfined_u:unconfined_r:unconfined_t:s0 tcontext=system_u:system_r:init_t:s0 tclass=system permissive=0  exe="/usr/lib/systemd/systemd" sauid=0 hostname=? addr=? terminal=?'`;
// name is hex: the kernel hex-encodes an untrusted string that holds a space ("/tmp/my file").
const APPARMOR_FILE = `audit(${T}.104:9004): apparmor="DENIED" operation="open" class="file" profile="/usr/sbin/cupsd" name=2F746D702F6D792066696C65 pid=2468 comm="cupsd" requested_mask="r" denied_mask="r" fsuid=7 ouid=0`;
const APPARMOR_CAPABILITY = `audit(${T}.105:9005): apparmor="DENIED" operation="capable" class="cap" profile="/usr/bin/ping" pid=1357 comm="ping" capability=13  capname="net_raw"`;
const APPARMOR_STATUS = `audit(${T}.106:9006): apparmor="STATUS" operation="profile_replace" info="same as current profile, skipping" profile="unconfined" name="/usr/bin/man" pid=999 comm="apparmor_parser" namespace="root" label="unconfined"`;
const LSM_MESSAGES: AuditMessage[] = [
  { type: 1400, text: SELINUX_AVC }, { type: 1403, text: SELINUX_POLICY_LOAD }, { type: 1107, text: USER_AVC },
  { type: 1400, text: APPARMOR_FILE }, { type: 1400, text: APPARMOR_CAPABILITY }, { type: 1400, text: APPARMOR_STATUS },
];

test('seccomp_events alone starts the publisher; a process killed by SECCOMP_RET_KILL_PROCESS has its row; LOG and ERRNO+FILTER_FLAG_LOG rows follow actions_logged', async () => {
  lab = await openLsmLab(['--disable_events=false', '--disable_audit=false', '--audit_allow_config=true', '--audit_listen=unicast',
    '--audit_allow_process_events=false', '--audit_allow_user_events=false', '--audit_allow_seccomp_events=true']);
  const status = lab.runtime.status();
  const state = (name: string) => status.find((r) => r.name === name);
  assert.equal(state('auditeventpublisher')?.active, 1, JSON.stringify(status));
  assert.equal(state('seccomp_events')?.active, 1, JSON.stringify(status));
  assert.equal(state('process_events')?.active, 0, JSON.stringify(status));
  // No syscall subscriber is allowed, so no rule: SECCOMP records are emitted by the kernel without one.
  assert.deepEqual(auditctlRules(), initial.rules, 'Quarry installs no rule for seccomp_events');
  witness = await openWitness();

  const logged = actionsLogged();
  const logRun = await runChild('log');
  const errnoRun = await runChild('errno-log');
  const killRun = await runChild('kill');
  assert.equal(logRun.code, 0, logRun.stderr);
  assert.equal(logRun.after?.result, process.pid, `the LOG filter let getppid through: ${JSON.stringify(logRun)}`);
  assert.equal(errnoRun.code, 0, errnoRun.stderr);
  assert.deepEqual(errnoRun.after, { result: -1, errno: 1 }, 'the ERRNO filter made getppid fail with EPERM');
  assert.equal(killRun.signal, 'SIGSYS', `the kill child must die of SIGSYS: ${JSON.stringify(killRun)}`);
  assert.equal(killRun.after, undefined, 'the kill child never returned from getppid');

  const me = killRun.me;
  const rows = await eventually(() => {
    const r = seccompRows(me.pid);
    return r.some((x) => x['code'] === 'KILL_PROCESS') ? r : undefined;
  }, `the KILL_PROCESS seccomp_events row of pid ${me.pid} (the kernel sent: ${JSON.stringify(witnessed(me.pid))})`);
  const kill = rows.find((r) => r['code'] === 'KILL_PROCESS' && r['syscall'] === (arch === 'x86_64' ? 'getppid' : String(syscallNumber('getppid'))));
  assert.ok(kill, `the getppid KILL_PROCESS row among ${JSON.stringify(rows)}`);
  const where = JSON.stringify(rows);
  assert.equal(kill['pid'], me.pid, where);
  assert.equal(kill['exe'], me.exe, where);
  assert.equal(kill['comm'], me.comm, where);
  assert.equal(kill['uid'], me.uid, where);
  assert.equal(kill['gid'], me.gid, where);
  assert.equal(kill['auid'], me.auid, where);
  assert.equal(kill['ses'], me.ses, where);
  assert.equal(kill['sig'], constants.signals.SIGSYS, where);
  assert.equal(kill['arch'], ARCH_LABEL[arch], where);
  assert.equal(kill['compat'], 0, where);
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Math.abs(Number(kill['time']) - now) < 60, where);
  assert.ok(Number(kill['uptime']) > 0, where);
  // ip is the instruction pointer as the kernel logged it, compared with the independent listener's copy.
  const raw = witnessed(me.pid);
  assert.ok(raw.length > 0, `the multicast listener saw the kernel's SECCOMP record for pid ${me.pid}`);
  assert.equal(kill['ip'], /\bip=(\S+)/.exec(raw[0]!)?.[1], `${where} vs ${JSON.stringify(raw)}`);

  // The kill child ran last: its row is in, so the LOG and ERRNO children's records (if the kernel logs them) are too.
  const logRows = seccompRows(logRun.me.pid);
  if (logged.includes('log')) {
    const row = logRows.find((r) => r['code'] === 'LOG');
    assert.ok(row, `a LOG row for pid ${logRun.me.pid} (actions_logged: ${logged.join(' ')}) among ${JSON.stringify(logRows)}`);
    assert.equal(row['sig'], 0, JSON.stringify(logRows));
    assert.equal(row['exe'], logRun.me.exe, JSON.stringify(logRows));
  } else {
    assert.deepEqual(logRows, [], `no LOG row: "log" is not in actions_logged (${logged.join(' ')}); witness: ${JSON.stringify(witnessed(logRun.me.pid))}`);
  }
  const errnoRows = seccompRows(errnoRun.me.pid);
  if (logged.includes('errno')) {
    const row = errnoRows.find((r) => r['code'] === 'ERRNO');
    assert.ok(row, `an ERRNO row for pid ${errnoRun.me.pid} (actions_logged: ${logged.join(' ')}) among ${JSON.stringify(errnoRows)}`);
    assert.equal(row['sig'], 0, JSON.stringify(errnoRows));
  } else {
    assert.deepEqual(errnoRows, [], `no ERRNO row: "errno" is not in actions_logged (${logged.join(' ')})`);
  }
  const counters = lab.publisher.counters();
  assert.equal(counters.malformedRecords, 0, JSON.stringify(counters));
  assert.equal(counters.internalErrors, 0, JSON.stringify(counters));
});

test('selinux_events and apparmor_events: records in the kernel\'s format go through the publisher, the ring and SQL', async () => {
  await closeWitness();
  await lab?.close();
  lab = await openLsmLab(['--disable_events=false', '--disable_audit=false', '--audit_listen=unicast',
    '--audit_allow_process_events=false', '--audit_allow_user_events=false', '--audit_allow_selinux_events=true', '--audit_allow_apparmor_events=true']);
  const status = lab.runtime.status();
  for (const name of ['auditeventpublisher', 'selinux_events', 'apparmor_events']) {
    assert.equal(status.find((r) => r.name === name)?.active, 1, `${name}: ${JSON.stringify(status)}`);
  }
  lab.publisher.handleMessages(LSM_MESSAGES);
  const selinux = await eventually(() => {
    const r = lab!.rows(`select type, message, time, uptime from selinux_events where message like 'audit(${T}.10%'`);
    return r.length >= 3 ? r : undefined;
  }, 'three selinux_events rows');
  const selinuxWhere = JSON.stringify(selinux);
  assert.deepEqual(selinux.map((r) => [r['type'], r['message']]), [['AVC', SELINUX_AVC], ['MAC_POLICY_LOAD', SELINUX_POLICY_LOAD], ['USER_AVC', USER_AVC]], selinuxWhere);
  assert.ok(selinux.every((r) => Number(r['uptime']) > 0 && Math.abs(Number(r['time']) - Math.floor(Date.now() / 1000)) < 60), selinuxWhere);

  const apparmor = await eventually(() => {
    const r = lab!.rows(`select * from apparmor_events where message like 'audit(${T}.10%'`);
    return r.length >= 3 ? r : undefined;
  }, 'three apparmor_events rows');
  const where = JSON.stringify(apparmor);
  assert.equal(apparmor.length, 3, where);
  const [file, cap, load] = apparmor;
  assert.deepEqual({ ...file, time: 0, uptime: 0 }, {
    type: 'AA', message: APPARMOR_FILE, time: 0, uptime: 0, apparmor: 'DENIED', operation: 'open', parent: 0, profile: '/usr/sbin/cupsd',
    name: '/tmp/my file', pid: 2468, comm: 'cupsd', denied_mask: 'r', capname: '', fsuid: 7, ouid: 0, capability: 0, requested_mask: 'r',
    info: '', error: '', namespace: '', label: '',
  }, where);
  assert.equal(cap!['operation'], 'capable', where);
  assert.equal(cap!['capability'], 13, where);
  assert.equal(cap!['capname'], 'net_raw', where);
  assert.equal(cap!['profile'], '/usr/bin/ping', where);
  assert.equal(load!['apparmor'], 'STATUS', where);
  assert.equal(load!['info'], 'same as current profile, skipping', where);
  assert.equal(load!['namespace'], 'root', where);
  assert.equal(load!['label'], 'unconfined', where);
  // AppArmor AVC records never reach selinux_events, SELinux ones never apparmor_events.
  assert.equal(lab.rows(`select count(*) as n from selinux_events where message like '%apparmor=%'`)[0]!['n'], 0);
  const counters = lab.publisher.counters();
  assert.equal(counters.malformedRecords, 0, JSON.stringify(counters));
  assert.equal(counters.internalErrors, 0, JSON.stringify(counters));
});

test('with the three flags false: the kernel still sends the SECCOMP record, but no table gets a row and nothing counts as an error', async () => {
  await lab?.close();
  // Process events (the default) install the execve rule: a later exec's row marks that the SECCOMP record was handled.
  lab = await openLsmLab(['--disable_events=false', '--disable_audit=false', '--audit_allow_config=true', '--audit_listen=unicast']);
  const status = lab.runtime.status();
  for (const name of ['seccomp_events', 'selinux_events', 'apparmor_events']) {
    assert.equal(status.find((r) => r.name === name)?.active, 0, `${name} is disabled: ${JSON.stringify(status)}`);
  }
  witness = await openWitness();
  const before = lab.publisher.counters();
  lab.publisher.handleMessages(LSM_MESSAGES);
  const killRun = await runChild('kill');
  assert.equal(killRun.signal, 'SIGSYS', JSON.stringify(killRun));
  const marker = spawn('/bin/true', [], { stdio: 'ignore' });
  await new Promise((resolve) => marker.on('close', resolve));
  await eventually(() => witnessed(killRun.me.pid).length > 0, `the kernel's SECCOMP record for pid ${killRun.me.pid} (multicast listener)`);
  await eventually(() => lab!.rows(`select pid from process_events where pid = ${marker.pid}`).length > 0, `the process_events row of the later exec (pid ${marker.pid})`);
  for (const table of ['seccomp_events', 'selinux_events', 'apparmor_events']) {
    const rows = lab.rows(`select * from ${table}`);
    assert.deepEqual(rows, [], `${table} must stay empty with its flag false: ${JSON.stringify(rows)}`);
  }
  const after = lab.publisher.counters();
  const where = JSON.stringify({ before, after });
  assert.ok(after.filteredRecords - before.filteredRecords >= LSM_MESSAGES.length + 1, `the six fed records and the SECCOMP record are counted as filtered: ${where}`);
  assert.equal(after.malformedRecords, before.malformedRecords, where);
  assert.equal(after.internalErrors, 0, where);
});

test('row mapping: unknown arch and action codes, other architectures\' syscall numbers, and an AppArmor record without a status', () => {
  const event = (kind: 'seccomp' | 'apparmor', type: number, text: string) => {
    const parsed = parseAuditRecord(type, text);
    assert.ok(parsed.ok);
    return { kind, auditId: parsed.record.id, auditTime: parsed.record.seconds, serial: parsed.record.serial, time: 0, id: 0,
      records: [{ type, typeName: parsed.record.typeName, fields: parsed.record.fields, text }], exe: '/bin/x', incomplete: false };
  };
  const seccomp = (archHex: string, code: string) =>
    seccompEventRow(event('seccomp', 1326, `audit(${T}.200:1): auid=1000 uid=1000 gid=1000 ses=3 pid=77 comm=6D7920636F6D6D exe="/bin/x" sig=0 arch=${archHex} syscall=172 compat=1 ip=0xf7f1 code=${code}`));
  const i386 = seccomp('40000003', '0x7ffc0000')!;
  assert.equal(i386['arch'], 'I386');
  assert.equal(i386['syscall'], '172', 'only x86_64 syscalls are named (as osquery)');
  assert.equal(i386['code'], 'LOG');
  assert.equal(i386['comm'], 'my comm', 'a hex-encoded comm is decoded');
  assert.equal(i386['compat'], 1);
  assert.equal(seccomp('c00000b7', '0x30000')!['arch'], 'AARCH64');
  assert.equal(seccomp('c00000b7', '0x30000')!['code'], 'TRAP');
  assert.equal(seccomp('80000016', '0x7ff00000')!['arch'], 'S390X');
  assert.equal(seccomp('c0000015', '0x0')!['arch'], 'PPC64LE');
  assert.equal(seccomp('c0000015', '0x0')!['code'], 'KILL_THREAD');
  assert.equal(seccomp('1234', '0x7fc00000')!['arch'], `${0x1234}(unknown)`);
  assert.equal(seccomp('1234', '0x7fc00000')!['code'], `${0x7fc00000}(unknown)`);
  // The x86_64 name table agrees with auditd's ausyscall wherever ausyscall knows the number (libaudit says pread and
  // pwrite where the kernel says pread64 and pwrite64).
  const dump = execFileSync('ausyscall', ['x86_64', '--dump'], { encoding: 'utf8' }).split('\n').slice(1).filter((l) => l.trim().length > 0);
  assert.ok(dump.length > 300, `ausyscall x86_64 --dump listed ${dump.length} syscalls`);
  const libaudit: Record<string, string> = { pread64: 'pread', pwrite64: 'pwrite' };
  const differ = dump.map((l) => l.trim().split(/\s+/)).filter(([n, name]) => {
    const ours = x86_64SyscallName(Number(n));
    return ours === undefined || (libaudit[ours] ?? ours) !== name;
  });
  assert.deepEqual(differ, [], 'x86_64 syscall names that differ from ausyscall');
  assert.equal(apparmorEventRow(event('apparmor', 1400, `audit(${T}.201:2): apparmor="" operation="open" pid=5`)), undefined, 'an empty apparmor field makes no row');
});
