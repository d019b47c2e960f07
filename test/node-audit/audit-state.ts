// Test helpers: read the kernel audit state with Debian's auditctl (an independent tool), and put it back exactly.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { releaseAuditPidIfOwned } from 'node-audit';

const ENSURE_SCRIPT = fileURLToPath(new URL('../../scripts/ensure-audit-tools.sh', import.meta.url));

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
