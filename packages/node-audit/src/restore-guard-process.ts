// The restore guard's process (see restore-guard.ts). Reads plans (one JSON per line) or "done" from stdin; when stdin
// closes without "done", the watched process is gone: undo its changes that are still in place, then exit.
import { AUDIT_DEL_RULE, AUDIT_GET, AUDIT_SET } from './constants.js';
import { AuditError } from './errors.js';
import type { RestorePlan } from './restore-guard.js';
import { AuditSocket } from './socket.js';
import { decodeStatus, encodeStatusChange, type AuditStatusChange } from './status.js';
import { transact } from './transaction.js';

let plan: RestorePlan | undefined;
// stderr may be a terminal that hung up with the process we watch: never die of a failed write.
process.stderr.on('error', () => undefined);
// An unexpected exception must not end the guard before it restored: it is ignored (the restore retries nothing else).
process.on('uncaughtException', () => undefined);
let done = false;
let pending = '';

// The terminal's SIGHUP/SIGINT reach the whole process group; the guard waits for its process instead.
for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM'] as const) process.on(signal, () => undefined);

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  let newline: number;
  while ((newline = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, newline).trim();
    pending = pending.slice(newline + 1);
    if (line === 'done') done = true;
    else if (line.length > 0) {
      try {
        plan = JSON.parse(line) as RestorePlan;
      } catch {
        // A torn line cannot come from the client; ignore it.
      }
    }
  }
});
process.stdin.on('end', () => {
  if (done || !plan) process.exit(0);
  restore(plan).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`node-audit restore guard: could not restore the audit state of pid ${plan!.pid}: ${String((error as Error).message)}\n`);
      process.exit(1);
    },
  );
});

async function restore(p: RestorePlan): Promise<void> {
  const socket = AuditSocket.open();
  const request = (type: number, payload: Uint8Array, operation: string, expect: { kind: 'ack' } | { kind: 'reply'; type: number } = { kind: 'ack' }) =>
    ({ type, payload, expect, operation, timeoutMs: 2000 });
  try {
    const done: string[] = [];
    for (const hex of [...p.rules].reverse()) {
      try {
        await transact(socket, request(AUDIT_DEL_RULE, Buffer.from(hex, 'hex'), 'delete audit rule'));
        done.push('deleted its rule');
      } catch (error) {
        if (!(error instanceof AuditError && error.code === 'ENOENT')) throw error;
      }
    }
    const replies = await transact(socket, request(AUDIT_GET, new Uint8Array(0), 'get audit status', { kind: 'reply', type: AUDIT_GET }));
    const status = replies[0] ? decodeStatus(replies[0].payload) : undefined;
    if (!status) return;
    const change: AuditStatusChange = {};
    for (const key of Object.keys(p.putBack) as (keyof AuditStatusChange)[]) {
      if (key === 'pid') continue;
      if (status[key] === p.setTo[key] && status[key] !== p.putBack[key]) change[key] = p.putBack[key];
    }
    if (Object.keys(change).length > 0) {
      await transact(socket, request(AUDIT_SET, encodeStatusChange(change), 'restore audit status'));
      done.push(`put back ${JSON.stringify(change)}`);
    }
    // The process held the audit pid and died with it: the kernel would keep that stale pid while audit is off. Asking
    // for pid 0 makes the kernel test the old daemon's socket, find it gone and unregister it (it refuses, EACCES,
    // if the process somehow still runs).
    if (status.pid === p.pid) {
      await transact(socket, request(AUDIT_SET, encodeStatusChange({ pid: 0 }), 'release the audit pid of the ended process'));
      done.push('released its audit pid');
    }
    if (done.length > 0) process.stderr.write(`node-audit restore guard: pid ${p.pid} ended without restoring the audit state; ${done.join(', ')}\n`);
  } finally {
    socket.close();
  }
}
