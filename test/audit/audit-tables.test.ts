// End to end on the real kernel: the events runtime with the audit publisher and the process_events, socket_events
// and user_events subscribers. Real execs, real sockets and a real PAM-style user record become osquery rows; on
// stop the kernel's audit state is exactly what it was.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { Flags } from '@quarry/config';
import { EventRuntime, type EventRowValues, type EventSink } from '@quarry/events';
import { AuditPublisher } from '@quarry/publishers/audit/index';
import { ProcessEventsSubscriber } from '@quarry/subscribers/process-events/index';
import { SocketEventsSubscriber } from '@quarry/subscribers/socket-events/index';
import { UserEventsSubscriber } from '@quarry/subscribers/user-events/index';
import { AuditClient } from 'node-audit';
import { assertAuditPidFree, assertKernelAuditStateRestored, auditctlRules, auditctlStatus, ensureAuditTools, putBackKernelAuditState, readKernelAuditState, type KernelAuditState } from '../node-audit/audit-state.js';

/** Polls until find() returns a row (every 20 ms, up to 5 s). */
async function waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Keeps appended rows in memory (the LMDB buffers are another component's and tested there). */
class MemoryStore {
  readonly rows = new Map<string, EventRowValues[]>();
  ring(subscriber: string): EventSink {
    const list: EventRowValues[] = [];
    this.rows.set(subscriber, list);
    return { append: async (rows) => rows.map((r) => list.push(r)) };
  }
}

let initial: KernelAuditState;
let runtime: EventRuntime;
let store: MemoryStore;
let publisher: AuditPublisher;

before(async () => {
  ensureAuditTools();
  initial = readKernelAuditState();
  assertAuditPidFree(initial);
  const { flags } = Flags.parse(['--disable_audit=false', '--audit_allow_config=true', '--audit_allow_sockets=true', '--audit_allow_failed_socket_events=true', '--audit_listen=unicast'], { mode: 'daemon' });
  store = new MemoryStore();
  runtime = new EventRuntime({ flags, config: {}, store });
  publisher = new AuditPublisher({ flags });
  runtime.registerPublisher(publisher);
  runtime.registerSubscriber(new ProcessEventsSubscriber({ flags }));
  runtime.registerSubscriber(new SocketEventsSubscriber({ flags }));
  runtime.registerSubscriber(new UserEventsSubscriber({ flags }));
  await runtime.start();
  const status = runtime.status();
  for (const row of status) assert.equal(row.active, 1, `${row.name}: ${row.status}`);
});

after(async () => {
  await runtime?.stop();
  const now = readKernelAuditState();
  // The publisher put the kernel back by itself, before any clean-up of ours.
  assertKernelAuditStateRestored(initial, now);
  await putBackKernelAuditState(initial);
});

const rows = (name: string): EventRowValues[] => store.rows.get(name) ?? [];

test('the publisher owns the audit pid, enabled audit and installed one exit rule for the allowed syscalls', () => {
  const ctl = auditctlStatus();
  assert.equal(ctl.get('pid'), String(process.pid));
  assert.equal(ctl.get('enabled'), '1');
  assert.equal(ctl.get('backlog_limit'), '4096');
  // The rule is installed unless the kernel already held the same one (left by a killed agent): then it is used as found.
  if (!publisher.counters().ruleInstalled) {
    assert.ok(initial.rules.some((rule) => /^-a always,exit .*-S \S*execve/.test(rule)), `no exec rule installed and none found: ${JSON.stringify(initial.rules)}`);
  }
  assert.ok(auditctlRules().some((rule) => /^-a always,exit .*-S \S*execve/.test(rule)), 'an exec rule is in the kernel');
  assert.equal(publisher.counters().mode, 'unicast');
});

test('process_events: a spawned /bin/echo gives a row with exact cmdline, cwd, parent and file fields', async () => {
  const args = ['one', 'two words', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'ten', 'eleven'];
  const child = spawn('/bin/echo', args, { stdio: 'ignore', cwd: '/tmp' });
  await new Promise((resolve) => child.on('exit', resolve));
  const row = await waitFor(() => rows('process_events').find((r) => r.pid === child.pid), 'the process_events row');
  const file = statSync('/usr/bin/echo');
  assert.equal(row.path, '/usr/bin/echo');
  assert.equal(row.cmdline, ['/bin/echo', ...args].join(' '));
  assert.equal(row.cmdline_size, Buffer.byteLength(String(row.cmdline)));
  assert.equal(row.cwd, '/tmp');
  assert.equal(row.parent, process.pid);
  assert.equal(row.syscall, 'execve');
  assert.equal(row.uid, process.getuid!());
  assert.equal(row.mode, `0${(file.mode).toString(8)}`.replace(/^0+/, '0'));
  assert.equal(row.owner_uid, file.uid);
  assert.equal(row.mtime, Math.floor(file.mtimeMs / 1000));
  assert.equal(row.env, '');
});

test('socket_events: connect and bind of a real TCP client and server give osquery rows', async () => {
  // Sockets opened by Quarry's own pid are ignored, so a child process does the networking.
  const server = createServer((s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const script = `const net=require('net');const s=net.createServer();s.listen(0,'127.0.0.1',()=>{const c=net.connect(${port},'127.0.0.1',()=>{c.end();s.close();});});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  server.close();
  const connectRow = await waitFor(() => rows('socket_events').find((r) => r.pid === child.pid && r.action === 'connect'), 'the connect row');
  assert.equal(connectRow.remote_address, '127.0.0.1');
  assert.equal(connectRow.remote_port, port);
  assert.equal(connectRow.family, 2);
  assert.equal(connectRow.local_address, '');
  assert.ok(connectRow.status === 'succeeded' || connectRow.status === 'in_progress', String(connectRow.status));
  assert.equal(connectRow.path, process.execPath);
  const bindRow = await waitFor(() => rows('socket_events').find((r) => r.pid === child.pid && r.action === 'bind'), 'the bind row');
  assert.equal(bindRow.local_address, '127.0.0.1');
  assert.equal(bindRow.status, 'succeeded');
  assert.equal(bindRow.remote_address, '');
  assert.equal(rows('socket_events').filter((r) => r.pid === process.pid).length, 0);
});

test('user_events: a USER_LOGIN record gives a row whose message is the whole msg text', async () => {
  const client = AuditClient.open();
  const text = `op=login acct="quarry${process.pid}" exe="/usr/sbin/sshd" hostname=? addr=192.0.2.7 terminal=ssh res=success`;
  try {
    await client.sendUserMessage(text, 1112);
  } finally {
    await client.close();
  }
  const row = await waitFor(() => rows('user_events').find((r) => String(r.message).includes(`quarry${process.pid}`)), 'the user_events row');
  assert.equal(row.type, 1112);
  assert.equal(row.message, text);
  assert.equal(row.pid, process.pid);
  assert.equal(row.path, '/usr/sbin/sshd');
  assert.equal(row.address, '192.0.2.7');
  assert.equal(row.terminal, 'ssh');
  assert.equal(publisher.counters().malformedRecords, 0);
});
