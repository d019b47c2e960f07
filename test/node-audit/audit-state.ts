// Test helpers: read the kernel audit state with Debian's auditctl (an independent tool), put it back, and judge
// whether it was put back — on a machine that may be dirty.
//
// A dirty machine: an audit daemon killed with SIGKILL (kill -9 of quarryd, or of auditd) leaves the kernel's audit
// pid pointing at a process that no longer exists. The kernel keeps that stale pid until it next tries to reach the
// daemon (a record to deliver, or anyone's request to set the pid): then it finds the socket gone and resets the pid
// to 0 by itself. Tests must pass on such a machine, so they never assert `pid == 0`; they assert what they need:
// - before: the audit pid is free for us — 0, a stale pid (no live process holds an audit socket under it), or ours
//   (assertAuditPidFree). A live audit daemon is the only reason to refuse to run.
// - after: "restored" means every settable status field (enabled, failure, rate_limit, backlog_limit,
//   backlog_wait_time) and the rule list are exactly as found, and the pid is as found — except that a stale pid
//   found before may have become 0. That is the decision for a stale pid: it cannot be put back (the kernel accepts
//   only the caller's own pid, and a dead process cannot ask), it must not be (records sent to it would be lost),
//   and 0 is what the kernel itself turns it into at the first record. So whoever took a stale pid over gives back
//   0, and a test that never touched it may still find the stale value (assertKernelAuditStateRestored).
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { releaseAuditPidIfOwned } from 'node-audit';

const ENSURE_SCRIPT = fileURLToPath(new URL('../../scripts/ensure-audit-tools.sh', import.meta.url));
const ENSURE_PACKAGES_SCRIPT = fileURLToPath(new URL('../../scripts/ensure-debian-packages.sh', import.meta.url));

/** Installs auditd/auditctl/ausearch with apt-get when missing. */
export function ensureAuditTools(): void {
  execFileSync('sh', [ENSURE_SCRIPT], { stdio: 'inherit' });
}

export function auditctl(...args: string[]): string {
  return execFileSync('auditctl', args, { encoding: 'utf8' });
}

/** `auditctl -s` as a map of its first two columns: enabled, failure, pid, rate_limit, backlog_limit, lost, ... */
export function auditctlStatus(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of auditctl('-s').split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) out.set(key, value);
  }
  return out;
}

/** `auditctl -l` lines (empty list when it prints "No rules"). */
export function auditctlRules(): string[] {
  return auditctl('-l')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && l !== 'No rules');
}

export interface KernelAuditState {
  status: Map<string, string>;
  rules: string[];
}

export function readKernelAuditState(): KernelAuditState {
  return { status: auditctlStatus(), rules: auditctlRules() };
}

/** The settable part of a state, for comparisons: enabled, failure, pid, rate_limit, backlog_limit, backlog_wait_time. */
export function settable(state: KernelAuditState): Record<string, string | undefined> {
  const keys = ['enabled', 'failure', 'pid', 'rate_limit', 'backlog_limit', 'backlog_wait_time'];
  return Object.fromEntries(keys.map((k) => [k, state.status.get(k)]));
}

/** The audit pid of a state, as a number (0 when nobody holds it). */
export function auditPid(state: KernelAuditState): number {
  return Number(state.status.get('pid') ?? '0');
}

/** Who holds an audit pid: nobody (0), us, a live process with an audit netlink socket, or nobody alive (stale). */
export type AuditPidHolder = 'none' | 'ours' | 'live' | 'stale';

/** Inodes of the NETLINK_AUDIT (protocol 9) sockets open in this network namespace, from /proc/net/netlink. */
function auditSocketInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const line of readFileSync('/proc/net/netlink', 'utf8').split('\n').slice(1)) {
    const columns = line.trim().split(/\s+/);
    if (columns[1] === '9' && columns[9] !== undefined) inodes.add(columns[9]);
  }
  return inodes;
}

/** Whether process `pid` exists and has an audit netlink socket open (a gone process or a zombie has none). */
function holdsAuditSocket(pid: number): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  const inodes = auditSocketInodes();
  return fds.some((fd) => {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      return inode !== undefined && inodes.has(inode);
    } catch {
      return false;
    }
  });
}

/**
 * Classifies an audit pid. `ours` lists the pids of this test's own processes (default: this one). A pid whose
 * process is gone, is a zombie, or was reused by a process without an audit socket is stale: the kernel resets it.
 */
export function auditPidHolder(pid: number, ours: readonly number[] = [process.pid]): AuditPidHolder {
  if (pid === 0) return 'none';
  if (ours.includes(pid)) return 'ours';
  return holdsAuditSocket(pid) ? 'live' : 'stale';
}

function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** Fails (naming it) when a live audit daemon other than ours holds the audit pid; 0, stale or ours is fine. */
export function assertAuditPidFree(state: KernelAuditState = readKernelAuditState(), ours: readonly number[] = [process.pid]): void {
  const pid = auditPid(state);
  if (auditPidHolder(pid, ours) === 'live') {
    throw new Error(`another audit daemon (pid ${pid}, ${processName(pid)}) holds the audit pid; stop it before running these tests`);
  }
}

/**
 * What is wrong with `now` as a restored `before` (see the file's head): settable fields and rules exactly as found,
 * and the pid as found, or 0 where a stale pid was found. Undefined when it is restored.
 */
export function auditStateDifference(before: KernelAuditState, now: KernelAuditState): string | undefined {
  const found = settable(before);
  const seen = settable(now);
  const foundPid = auditPid(before);
  const pidRestored = seen['pid'] === found['pid'] || (seen['pid'] === '0' && auditPidHolder(foundPid) === 'stale');
  const fields = Object.keys(found).filter((key) => (key === 'pid' ? !pidRestored : seen[key] !== found[key]));
  const problems = fields.map((key) => `${key} is ${seen[key]}, was ${found[key]}${key === 'pid' && foundPid !== 0 ? ` (${auditPidHolder(foundPid)})` : ''}`);
  if (JSON.stringify(now.rules) !== JSON.stringify(before.rules)) {
    problems.push(`rules are ${JSON.stringify(now.rules)}, were ${JSON.stringify(before.rules)}`);
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** Asserts that the kernel's audit state (read now, unless given) is `before` restored (auditStateDifference). */
export function assertKernelAuditStateRestored(before: KernelAuditState, now: KernelAuditState = readKernelAuditState(), message = 'the audit state was not put back'): void {
  const difference = auditStateDifference(before, now);
  if (difference !== undefined) throw new Error(`${message}: ${difference}`);
}

/** Polls (20 ms) until the kernel's audit state is `before` restored, up to timeoutMs; fails naming the difference. */
export async function waitForKernelAuditStateRestored(before: KernelAuditState, timeoutMs: number, message?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (auditStateDifference(before, readKernelAuditState()) !== undefined && Date.now() <= deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assertKernelAuditStateRestored(before, readKernelAuditState(), message);
}

const STALE_PID_SCRIPT = fileURLToPath(new URL('./fixtures/stale-audit-pid.py', import.meta.url));

/**
 * Leaves the machine as a killed audit daemon would (../shared/tools/stale-audit-pid, copied): a short-lived process
 * registers as the audit daemon and exits without unregistering. Needs audit disabled in the kernel (else the kernel
 * resets the pid at its next record). Returns the stale pid, checked to be stale.
 */
export function leaveStaleAuditPid(): number {
  execFileSync('sh', [ENSURE_PACKAGES_SCRIPT, 'python3', '--', 'python3'], { stdio: 'inherit' });
  const output = execFileSync('python3', [STALE_PID_SCRIPT], { encoding: 'utf8' });
  const pid = Number(/now (\d+)/.exec(output)?.[1]);
  const state = readKernelAuditState();
  if (auditPid(state) !== pid || auditPidHolder(pid) !== 'stale') {
    throw new Error(`the stale audit pid did not stay: the tool said "${output.trim()}", the kernel has pid ${auditPid(state)}`);
  }
  return pid;
}

/** Puts back a state read before a test, whatever the test left behind (rules, status, the audit pid). */
export async function putBackKernelAuditState(before: KernelAuditState): Promise<void> {
  await releaseAuditPidIfOwned();
  for (const line of auditctlRules()) {
    if (before.rules.includes(line)) continue;
    const args = line.split(' ');
    if (args[0] === '-a') args[0] = '-d';
    else if (args[0] === '-w') args[0] = '-W';
    spawnSync('auditctl', args, { stdio: 'ignore' });
  }
  const now = auditctlStatus();
  const fix: Array<[string, string]> = [
    ['failure', '-f'], ['rate_limit', '-r'], ['backlog_limit', '-b'], ['backlog_wait_time', '--backlog_wait_time'], ['enabled', '-e'],
  ];
  for (const [key, flag] of fix) {
    const want = before.status.get(key);
    if (want !== undefined && now.get(key) !== want && !(key === 'enabled' && (want === '2' || now.get(key) === '2'))) {
      spawnSync('auditctl', [flag, want], { stdio: 'ignore' });
    }
  }
}

/** Waits until predicate() is true, polling every 20 ms, up to timeoutMs. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
