// Issue #4 §4-5 on the real kernel, through the whole stack: audit publisher → subscribers → real LMDB buffers →
// SQL engine. Exact argv (spaces, quotes, non-ASCII, >10 arguments, one argument > 8 KiB), su failure and success in
// user_events with the workshop's Lab 3 bonus query, socket_events for IPv4, IPv6 and Unix sockets (bind, connect,
// accept, a refused connect), and loss counters in osquery_events. The kernel's audit state is put back after.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AuditEventContext } from '@quarry/publishers/audit/index';
import { assertAuditPidFree, assertKernelAuditStateRestored, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, type KernelAuditState } from '../node-audit/audit-state.js';
import { createTempUser, eventually, openAuditLab, sqlText, type AuditLab, type TempUser } from './helpers.js';

const SOCKETS_SCRIPT = fileURLToPath(new URL('./fixtures/sockets.py', import.meta.url));

let initial: KernelAuditState;
let lab: AuditLab;
let user: TempUser | undefined;
const contexts: AuditEventContext[] = [];

before(async () => {
  ensureAuditTools();
  initial = readKernelAuditState();
  assertAuditPidFree(initial);
  lab = await openAuditLab(['--disable_events=false', '--disable_audit=false', '--audit_allow_config=true', '--audit_allow_sockets=true',
    '--audit_allow_failed_socket_events=true', '--audit_allow_unix=true', '--audit_listen=unicast']);
  lab.publisher.emitter.on('event', (ctx) => contexts.push(ctx));
  for (const row of lab.runtime.status()) assert.equal(row.active, 1, `${row.name}: ${row.status}`);
});

after(async () => {
  user?.remove();
  try {
    await lab?.close();
    const now = readKernelAuditState();
    assertKernelAuditStateRestored(initial, now, 'the publisher put the kernel back by itself');
  } finally {
    await putBackKernelAuditState(initial);
  }
});

async function run(command: string, args: string[], options: { cwd?: string; uid?: number; gid?: number } = {}): Promise<{ pid: number; code: number | null }> {
  const child = spawn(command, args, { stdio: 'ignore', ...options });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { pid: child.pid!, code };
}

test('process_events: argv with spaces, quotes, non-ASCII text, 14 arguments and a 9000-byte argument comes back exactly', async () => {
  const long = Array.from({ length: 9000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
  const argv = ['/bin/echo', 'two words', `it's "quoted"`, 'grüße 日本語 ✓', '', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'ten', 'eleven', long, 'after long'];
  assert.ok(argv.length > 10 && Buffer.byteLength(long) > 8192);
  const { pid } = await run(argv[0]!, argv.slice(1), { cwd: '/tmp' });
  const [row] = await eventually(() => {
    const r = lab.rows(`select pid, path, cmdline, cmdline_size, cwd, parent, uid, syscall, mode, owner_uid, mtime from process_events where pid = ${pid}`);
    return r.length > 0 ? r : undefined;
  }, `process_events row of pid ${pid}`);
  assert.equal(row!['cmdline'], argv.join(' '));
  assert.equal(row!['cmdline_size'], Buffer.byteLength(argv.join(' ')));
  assert.equal(row!['path'], '/usr/bin/echo');
  assert.equal(row!['cwd'], '/tmp');
  assert.equal(row!['parent'], process.pid);
  assert.equal(row!['syscall'], 'execve');
  const file = statSync('/usr/bin/echo');
  assert.equal(row!['owner_uid'], file.uid);
  assert.equal(row!['mtime'], Math.floor(file.mtimeMs / 1000));
  // The publisher's context carries argv as a list: each argument exact, even the empty one.
  const ctx = contexts.find((c) => c.syscall?.name === 'execve' && c.records[0]!.fields.get('pid') === String(pid));
  assert.deepEqual(ctx?.argv, argv);
  assert.equal(ctx?.argvComplete, true);
});

test('process_events: a cwd the kernel hex-encodes (space, non-ASCII) is decoded', async () => {
  const dir = `/tmp/quarry audit ü ${process.pid}`;
  spawnSync('mkdir', ['-p', dir]);
  try {
    const { pid } = await run('/bin/true', [], { cwd: dir });
    const [row] = await eventually(() => {
      const r = lab.rows(`select cwd from process_events where pid = ${pid}`);
      return r.length > 0 ? r : undefined;
    }, `process_events row of pid ${pid}`);
    assert.equal(row!['cwd'], dir);
  } finally {
    spawnSync('rmdir', [dir]);
  }
});

test('user_events (Lab 3): a failed su by an ordinary user has res=failed, root\'s su to that user res=success, and the bonus query works', async () => {
  user = createTempUser();
  const failed = await run('setpriv', ['--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups', '--', 'su', 'root', '-c', 'true']);
  assert.notEqual(failed.code, 0, 'su without a password must fail');
  const succeeded = await run('su', [user.name, '-c', 'true']);
  assert.equal(succeeded.code, 0);
  const failedRows = await eventually(() => {
    const r = lab.rows(`select * from user_events where pid = ${failed.pid} and message like '%res=failed%'`);
    return r.length > 0 ? r : undefined;
  }, 'the res=failed user_events row of the failed su');
  const auth = failedRows.find((r) => String(r['message']).startsWith('op=PAM:authentication'));
  assert.ok(auth, `a PAM authentication row among ${JSON.stringify(failedRows)}`);
  assert.match(String(auth['message']), /acct="root".*res=failed$/);
  assert.equal(auth['uid'], user.uid);
  assert.equal(auth['type'], 1100);
  assert.equal(auth['path'], '/usr/bin/su');
  const okRows = await eventually(() => {
    const r = lab.rows(`select * from user_events where pid = ${succeeded.pid} and message like '%res=success%'`);
    return r.length > 0 ? r : undefined;
  }, 'the res=success user_events rows of root\'s su');
  assert.ok(okRows.some((r) => String(r['message']).includes(`acct="${user!.name}"`)), JSON.stringify(okRows));
  // The workshop's bonus query, verbatim.
  const bonus = lab.rows(`select u.username, ue.pid, ue.message, ue.path, ue.terminal, ue.time from user_events ue join users u on ue.uid=u.uid where ue.path!='/usr/sbin/cron';`);
  const mine = bonus.filter((r) => r['pid'] === failed.pid && String(r['message']).includes('res=failed'));
  assert.ok(mine.length > 0, 'the failed su appears in the bonus query');
  assert.equal(mine[0]!['username'], user.name);
  assert.ok(bonus.some((r) => r['pid'] === succeeded.pid && r['username'] === 'root' && String(r['message']).includes('res=success')));
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Math.abs(Number(mine[0]!['time']) - now) < 60);
});

test('socket_events: bind, connect and accept on 127.0.0.1, ::1 and a Unix socket, and a refused connect with status failed', async () => {
  const path = `/tmp/quarry-audit-${process.pid}.sock`;
  const result = spawnSync('python3', [SOCKETS_SCRIPT, path], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const done = JSON.parse(result.stdout) as { pid: number; exe: string; ipv4: { port: number; client_port: number }; ipv6: { port: number; client_port: number }; refused_port: number; unix: string };
  const select = `select action, family, local_address, local_port, remote_address, remote_port, socket, status, success, path, fd from socket_events where pid = ${done.pid}`;
  const rows = await eventually(() => {
    const r = lab.rows(select);
    // The script's last recorded call is the Unix connect (an accept on a Unix socket has no peer address and makes
    // no row); rows from other sockets glibc opens on its own may come too.
    const complete = r.length >= 12 && r.some((x) => x['action'] === 'connect' && x['socket'] === done.unix);
    return complete ? r : undefined;
  }, "the script's twelve socket_events rows", 8000);
  // `python3` may be a wrapper that runs under the same pid before it execs the interpreter (pyenv's shim is a bash
  // script, and bash may ask nscd for a user over a Unix socket first): those rows are real but not the script's, so
  // each of the script's own rows is found by what it did and must name the interpreter the script ran in.
  const find = (what: string, predicate: (r: (typeof rows)[number]) => boolean) => {
    const found = rows.find(predicate);
    assert.ok(found, `${what} among ${JSON.stringify(rows)}`);
    assert.equal(found['path'], done.exe, `the path of the ${what} row ${JSON.stringify(found)}`);
    return found;
  };
  const v6loopback = '0000:0000:0000:0000:0000:0000:0000:0001';
  for (const [family, address, ports] of [[2, '127.0.0.1', done.ipv4], [10, v6loopback, done.ipv6]] as const) {
    const bind = find(`bind ${address}`, (r) => r['action'] === 'bind' && r['family'] === family && r['local_port'] === ports.port);
    assert.equal(bind['local_address'], address);
    assert.equal(bind['remote_address'], '');
    assert.equal(bind['status'], 'succeeded');
    const connect = find(`connect ${address}`, (r) => r['action'] === 'connect' && r['family'] === family && r['remote_port'] === ports.port);
    assert.equal(connect['remote_address'], address);
    assert.equal(connect['status'], 'succeeded');
    assert.equal(connect['success'], 1);
    const accept = find(`accept ${address}`, (r) => r['action'] === 'accept' && r['family'] === family);
    assert.equal(accept['remote_address'], address);
    assert.equal(accept['remote_port'], ports.client_port);
  }
  const refused = find('refused connect', (r) => r['action'] === 'connect' && r['remote_port'] === done.refused_port);
  assert.equal(refused['status'], 'failed');
  assert.equal(refused['success'], 0);
  // glibc may also connect to other Unix sockets on its own (nscd's /var/run/nscd/socket for a name lookup, on
  // machines where NSS asks it), so the script's socket is looked for by its path, among any others.
  const unixBind = find('unix bind', (r) => r['action'] === 'bind' && r['family'] === 1 && r['socket'] === done.unix);
  assert.equal(unixBind['status'], 'succeeded');
  const unixConnect = find('unix connect', (r) => r['action'] === 'connect' && r['family'] === 1 && r['socket'] === done.unix);
  assert.equal(unixConnect['status'], 'succeeded');
});

test('osquery_events shows the publisher listening, configured, and its loss counters; counters() exposes them', async () => {
  const counters = await lab.publisher.refreshKernelStatus();
  const [row] = lab.rows(`select name, type, active, events, status from osquery_events where name = 'auditeventpublisher'`);
  assert.equal(row!['active'], 1);
  assert.ok(Number(row!['events']) > 0);
  const status = String(row!['status']);
  assert.match(status, /listening \(unicast, Quarry holds the audit pid\)/);
  assert.match(status, lab.publisher.counters().ruleInstalled ? /configured, rule installed/ : /configured(?!, rule installed)/);
  assert.match(status, new RegExp(`kernel lost ${counters.kernelLost} since start \\(${counters.kernelLostTotal} since boot\\)`));
  assert.match(status, new RegExp(`malformed records ${counters.malformedRecords}`));
  assert.equal(counters.mode, 'unicast');
  assert.equal(counters.internalErrors, 0);
  assert.ok(counters.records > 0 && counters.events > 0);
  const buffers = lab.rows(`select subscriber, appended from quarry_buffers where subscriber in ('process_events', 'user_events', 'socket_events')`);
  assert.equal(buffers.length, 3);
  assert.ok(buffers.every((b) => Number(b['appended']) > 0), JSON.stringify(buffers));
});
