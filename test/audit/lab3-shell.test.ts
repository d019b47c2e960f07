// The workshop's Lab 3 in the real shell: `quarryi --disable_events=false --disable_audit=false
// --audit_allow_config=true` on a pseudo-terminal (util-linux `script`), driven through its stdin. A failed su by an
// ordinary user and a successful su by root show in user_events, and the bonus query prints them. Then the same shell
// as `nobody`: the audit publisher says it needs root, and other tables still answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  assertAuditPidFree, assertKernelAuditStateRestored, auditctlStatus, auditPidHolder, ensureAuditTools, putBackKernelAuditState, readKernelAuditState,
  waitForKernelAuditStateRestored, type KernelAuditState,
} from '../node-audit/audit-state.js';
import { createTempUser, eventually, type TempUser } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let initial: KernelAuditState;
let user: TempUser | undefined;
const homes: string[] = [];

/** quarryi on a pty; `output` is everything it printed (ANSI sequences and all). */
class ShellSession {
  output = '';
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(args: string[], options: { asNobody?: boolean } = {}) {
    const home = mkdtempSync(`${tmpdir()}/quarry-lab3-home-`);
    chmodSync(home, 0o777);
    homes.push(home);
    const command = `node bin/quarryi.js ${args.join(' ')}`;
    const argv = ['-qec', command, '/dev/null'];
    const [file, fileArgs] = options.asNobody
      ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'script', ...argv]]
      : ['script', argv];
    this.child = spawn(file, fileArgs, { cwd: ROOT, env: { ...process.env, HOME: home, TERM: 'dumb' }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => { this.output += chunk.toString('utf8'); });
    this.child.stderr!.on('data', (chunk: Buffer) => { this.output += chunk.toString('utf8'); });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Output printed after `from` (an offset into output). */
  since(from: number): string {
    return this.output.slice(from);
  }

  async quit(): Promise<number | null> {
    this.send('.quit');
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 15_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

async function run(command: string, args: string[]): Promise<{ pid: number; code: number | null }> {
  const child = spawn(command, args, { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { pid: child.pid!, code };
}

/** The audit pid while a live process holds it (the one found may be stale, a killed daemon's), else undefined. */
function liveAuditDaemon(): number | undefined {
  const pid = Number(auditctlStatus().get('pid'));
  return auditPidHolder(pid) === 'live' ? pid : undefined;
}

before(() => {
  ensureAuditTools();
  initial = readKernelAuditState();
  assertAuditPidFree(initial);
});

after(async () => {
  user?.remove();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
  await putBackKernelAuditState(initial);
  assertKernelAuditStateRestored(initial);
});

test('Lab 3 in quarryi: failed and successful su in user_events, and the bonus query', async () => {
  user = createTempUser('lab');
  const shell = new ShellSession(['--disable_events=false', '--disable_audit=false', '--audit_allow_config=true']);
  try {
    await eventually(() => shell.output.includes('quarry>'), 'the quarry> prompt', 20_000);
    await eventually(() => auditctlStatus().get('enabled') === '1' && liveAuditDaemon(), 'the shell to enable audit and take the audit pid', 20_000);
    const failed = await run('setpriv', ['--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups', '--', 'su', 'root', '-c', 'true']);
    assert.notEqual(failed.code, 0);
    const succeeded = await run('su', [user.name, '-c', 'true']);
    assert.equal(succeeded.code, 0);
    shell.send('.mode line');
    const bonus = `select u.username, ue.pid, ue.message, ue.path, ue.terminal, ue.time from user_events ue join users u on ue.uid=u.uid where ue.path!='/usr/sbin/cron';`;
    // user_events is drained per query (osquery semantics): collect everything printed across attempts.
    const start = shell.output.length;
    const pidLine = (pid: number) => new RegExp(`pid = ${pid}\\r?\\n\\s*message = op=PAM:authentication [^\\n]*res=failed`);
    await eventually(() => {
      const seen = shell.since(start);
      if (pidLine(failed.pid).test(seen) && new RegExp(`pid = ${succeeded.pid}\\r?\\n\\s*message = [^\\n]*acct="${user!.name}"[^\\n]*res=success`).test(seen)) return true;
      shell.send(bonus);
      return false;
    }, 'the failed and successful su in the bonus query output', 15_000);
    const seen = shell.since(start);
    const failedBlock = seen.slice(Math.max(0, seen.search(pidLine(failed.pid)) - 300));
    assert.match(failedBlock, new RegExp(`username = ${user.name}\\r?\\n\\s*pid = ${failed.pid}`));
    assert.match(failedBlock, /path = \/usr\/bin\/su/);
    const code = await shell.quit();
    assert.equal(code, 0, shell.output.slice(-2000));
  } finally {
    if (shell.child.exitCode === null) shell.child.kill('SIGTERM');
    await shell.exited;
  }
  // The shell put the kernel back when it quit.
  assertKernelAuditStateRestored(initial);
});

test('quarryi killed with SIGTERM (its audit client lives in the engine worker): the kernel state is still put back', async () => {
  const shell = new ShellSession(['--disable_events=false', '--disable_audit=false', '--audit_allow_config=true']);
  try {
    await eventually(() => shell.output.includes('quarry>'), 'the quarry> prompt', 20_000);
    const node = await eventually(() => auditctlStatus().get('enabled') === '1' && liveAuditDaemon(), 'the shell to enable audit and take the audit pid', 20_000);
    process.kill(node, 'SIGTERM');
    await waitForKernelAuditStateRestored(initial, 10_000, 'the kernel audit state to be put back');
  } finally {
    if (shell.child.exitCode === null) shell.child.kill('SIGTERM');
    await shell.exited;
  }
});

test('quarryi as nobody: the audit publisher says it needs root, and the shell keeps answering other tables', async () => {
  const shell = new ShellSession(['--disable_events=false', '--disable_audit=false', '--audit_allow_config=true'], { asNobody: true });
  try {
    await eventually(() => shell.output.includes('quarry>'), 'the quarry> prompt', 20_000);
    shell.send('.mode line');
    shell.send(`select name, active, status from osquery_events where name='auditeventpublisher';`);
    shell.send('select count(*) as user_count from users;');
    await eventually(() => /user_count = \d+/.test(shell.output), 'the users query answer', 15_000);
    assert.match(shell.output, /active = 0/);
    assert.match(shell.output, /status = not enabled: the audit publisher needs root: the kernel refused to show its audit status to uid 65534 \(EPERM/);
    assert.equal(await shell.quit(), 0, shell.output.slice(-2000));
  } finally {
    if (shell.child.exitCode === null) shell.child.kill('SIGTERM');
    await shell.exited;
  }
  assertKernelAuditStateRestored(initial);
});
