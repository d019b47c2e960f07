// What process_file_events costs the host: a child process opens (O_WRONLY|O_CREAT|O_TRUNC), writes 64 bytes to and
// closes one file in a loop for a fixed time; ops/s is compared across
//   1. peer: no audit rule at all (audit as found, nothing loaded);
//   2. Quarry's FIM rules loaded (one `-w <mon> -p w` dir rule, the whole stack running), writes OUTSIDE the monitored dir;
//   3. the same, writes INSIDE the monitored dir (every open is an audit event: records, assembly, rows in LMDB);
//   4. osquery's approach for comparison: one exit rule with osquery's FIM syscall set (open, openat, write, close,
//      read, dup, mmap, ... no path filter), records received by a unicast reader and discarded; writes outside.
// Prints ops/s, the ratio to the peer, records/rows seen and the kernel's lost counter for each. Needs root; puts the
// kernel's audit state back at the end. Usage: node --import tsx bench/audit/process-file-events.ts [seconds=2]
import { spawn } from 'node:child_process';
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { AuditClient, hostAuditArch, syscallNumber, syscallRule } from 'node-audit';
import { ProcessFileEventsSubscriber } from '@quarry/subscribers/process-file-events/index';
import { ensureAuditTools, putBackKernelAuditState, readKernelAuditState, auditctlStatus } from '../../test/node-audit/audit-state.js';
import { openAuditLab } from '../../test/audit/helpers.js';
import { tempDir } from '../../test/temp-dir.js';

const SECONDS = Number(process.argv[2] ?? 2);
const OSQUERY_FIM_SYSCALLS = ['linkat', 'symlinkat', 'unlinkat', 'renameat', 'renameat2', 'mknodat', 'openat', 'open_by_handle_at',
  'name_to_handle_at', 'close', 'dup', 'dup3', 'pread64', 'preadv', 'read', 'readv', 'mmap', 'write', 'writev', 'pwrite64', 'pwritev',
  'truncate', 'ftruncate', 'clone', 'symlink', 'unlink', 'rename', 'creat', 'mknod', 'open', 'dup2', 'fork', 'vfork'];

const WRITER = `
const fs = require('node:fs');
const [file, ms] = [process.argv[1], Number(process.argv[2])];
const data = Buffer.alloc(64, 120);
const end = Date.now() + ms;
let ops = 0;
while (Date.now() < end) {
  for (let i = 0; i < 100; i++) { const fd = fs.openSync(file, 'w'); fs.writeSync(fd, data); fs.closeSync(fd); }
  ops += 100;
}
process.stdout.write(JSON.stringify({ pid: process.pid, ops }));
`;

async function writeLoop(file: string): Promise<{ pid: number; opsPerSecond: number }> {
  const child = spawn(process.execPath, ['-e', WRITER, file, String(SECONDS * 1000)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the write loop exited with ${code}`);
  const result = JSON.parse(out) as { pid: number; ops: number };
  return { pid: result.pid, opsPerSecond: result.ops / SECONDS };
}

const lost = (): number => Number(auditctlStatus().get('lost'));

interface Line { name: string; opsPerSecond: number; seen: string; lost: number }

async function main(): Promise<void> {
  ensureAuditTools();
  const initial = readKernelAuditState();
  if (initial.status.get('pid') !== '0') throw new Error('another audit daemon holds the audit pid; stop it first');
  const root = realpathSync(tempDir('quarry-pfe-bench-'));
  const mon = join(root, 'mon');
  const outside = join(root, 'outside');
  mkdirSync(mon);
  mkdirSync(outside);
  const lines: Line[] = [];
  try {
    await writeLoop(join(outside, 'warm.txt')); // warm-up: page cache, JIT
    let before = lost();
    const peer = await writeLoop(join(outside, 'peer.txt'));
    lines.push({ name: 'peer: no audit rule', opsPerSecond: peer.opsPerSecond, seen: '-', lost: lost() - before });

    const lab = await openAuditLab(['--disable_events=false', '--disable_audit=false', '--audit_allow_config=true', '--audit_allow_fim_events=true',
      '--audit_allow_process_events=false', '--audit_allow_user_events=false', '--audit_listen=unicast'],
    { moreSubscribers: (flags) => [new ProcessFileEventsSubscriber({ flags })] });
    try {
      await lab.runtime.configure({ file_paths: { bench: [`${mon}/%%`] } });
      before = lost();
      const out = await writeLoop(join(outside, 'out.txt'));
      await lab.runtime.settle();
      const outRows = lab.rows(`select count(*) as n from process_file_events where pid = ${out.pid}`)[0]!['n'];
      lines.push({ name: 'Quarry FIM rules, writes outside', opsPerSecond: out.opsPerSecond, seen: `${String(outRows)} rows`, lost: lost() - before });
      before = lost();
      const inside = await writeLoop(join(mon, 'in.txt'));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await lab.runtime.settle();
      const inRows = lab.rows(`select count(*) as n from process_file_events where pid = ${inside.pid}`)[0]!['n'];
      lines.push({ name: 'Quarry FIM rules, writes inside', opsPerSecond: inside.opsPerSecond, seen: `${String(inRows)} rows of ${Math.round(inside.opsPerSecond * SECONDS)} opens`, lost: lost() - before });
    } finally {
      await lab.close();
    }

    const arch = hostAuditArch()!;
    const client = AuditClient.open();
    try {
      await client.setStatus({ enabled: 1, backlogLimit: 4096, backlogWaitTime: 0, failure: 0 });
      await client.addRule(syscallRule({ arch, syscalls: OSQUERY_FIM_SYSCALLS.filter((n) => syscallNumber(arch, n) !== undefined) }));
      const reader = await client.openReader({ mode: 'unicast', receiveBufferBytes: 32 * 1024 * 1024 });
      let records = 0;
      reader.on('batch', (messages) => (records += messages.length));
      before = lost();
      const osq = await writeLoop(join(outside, 'osquery-style.txt'));
      await new Promise((resolve) => setTimeout(resolve, 500));
      lines.push({ name: 'osquery-style syscall rule, writes outside', opsPerSecond: osq.opsPerSecond, seen: `${records} records (all processes)`, lost: lost() - before });
      await reader.stop();
    } finally {
      await client.close();
    }
  } finally {
    await putBackKernelAuditState(initial);
  }
  const peer = lines[0]!.opsPerSecond;
  console.log(`open+write+close loop, ${SECONDS} s per run, one child process (node ${process.version})`);
  for (const l of lines) {
    console.log(`${l.name.padEnd(46)} ${Math.round(l.opsPerSecond).toString().padStart(9)} ops/s  ratio ${(l.opsPerSecond / peer).toFixed(3)}  seen ${l.seen}  kernel lost ${l.lost}`);
  }
}

await main();
