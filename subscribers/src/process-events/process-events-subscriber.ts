/**
 * process_events (Linux, audit): one row per successful execve/execveat (and clone/fork/vfork, kill/tkill/tgkill
 * when their flags are on), built as osquery does (reference §2.6) with two deliberate fixes: `cmdline` is argv in
 * argument order with split arguments rebuilt (osquery sorts aN names as text and loses aN[i] chunks), and `cwd` is
 * decoded (osquery keeps the kernel's quotes or hex).
 */
import { stat } from 'node:fs/promises';
import type { EventRingApi } from '@quarry/buffers';
import type { EventRowValues } from '@quarry/events';
import type { TableDefinition } from '@quarry/sql';
import {
  AUDIT_RECORD, auditNumber, recordOfType, uptimeSeconds, type AuditEventContext, type AuditSubscription,
} from './audit-event-context.js';
import { PROCESS_EVENTS_COLUMNS, PROCESS_EVENTS_DESCRIPTION, processEventsTable } from './process-events-table.js';
import { FlagGatedAuditSubscriber, type AuditSubscriberOptions } from '../flag-gated-audit-subscriber.js';

const EXEC = new Set(['execve', 'execveat']);
const FORK = new Set(['clone', 'fork', 'vfork']);
const KILL = new Set(['kill', 'tkill', 'tgkill']);
const CLONE_THREAD = 0x10000;
const CLONE_PARENT = 0x8000;

export class ProcessEventsSubscriber extends FlagGatedAuditSubscriber {
  readonly name = 'process_events';
  readonly description = PROCESS_EVENTS_DESCRIPTION;
  readonly columns = PROCESS_EVENTS_COLUMNS;
  constructor(options: AuditSubscriberOptions = {}) {
    super('audit_allow_process_events', true, options);
  }

  configure(): AuditSubscription[] {
    return [{ kinds: ['syscall'] }];
  }

  table(ring: EventRingApi | undefined): TableDefinition {
    return processEventsTable(ring);
  }

  protected async toRows(ctx: AuditEventContext): Promise<EventRowValues[]> {
    const row = processEventRow(ctx);
    if (!row) return [];
    const path = String(row.path);
    try {
      const s = await stat(path);
      row.atime = Math.floor(s.atimeMs / 1000);
      row.mtime = Math.floor(s.mtimeMs / 1000);
      row.ctime = Math.floor(s.ctimeMs / 1000);
    } catch {
      // Gone or unreadable: times stay 0, as osquery.
    }
    return [row];
  }
}

/** The row for one audit event, or undefined when osquery would not emit one. Times are filled by the caller. */
export function processEventRow(ctx: AuditEventContext): EventRowValues | undefined {
  if (ctx.kind !== 'syscall' || !ctx.syscall || !ctx.syscall.success) return undefined;
  const name = ctx.syscall.name;
  if (!EXEC.has(name) && !FORK.has(name) && !KILL.has(name)) return undefined;
  const syscall = ctx.records[0];
  if (!syscall || syscall.type !== AUDIT_RECORD.SYSCALL) return undefined;
  const f = syscall.fields;
  const a0 = Number.parseInt(f.get('a0') ?? '0', 16) || 0;
  if (name === 'clone' && (a0 & CLONE_THREAD) !== 0) return undefined;

  const id = (key: string): number => auditNumber(f.get(key), 0);
  const row: EventRowValues = {
    pid: id('pid'),
    path: ctx.exe,
    mode: '',
    cmdline: '',
    cmdline_size: 0,
    env: '',
    env_count: 0,
    env_size: 0,
    cwd: '',
    auid: id('auid'),
    uid: id('uid'),
    euid: id('euid'),
    gid: id('gid'),
    egid: id('egid'),
    owner_uid: 0,
    owner_gid: 0,
    atime: 0,
    mtime: 0,
    ctime: 0,
    btime: 0,
    overflows: '',
    parent: id('ppid'),
    uptime: uptimeSeconds(),
    fsuid: id('fsuid'),
    suid: id('suid'),
    fsgid: id('fsgid'),
    sgid: id('sgid'),
    syscall: name,
  };
  if (name === 'fork' || name === 'vfork') {
    row.parent = id('pid');
    row.pid = auditNumber(ctx.syscall.exit, -1);
  } else if (name === 'clone') {
    row.pid = auditNumber(ctx.syscall.exit, -1);
    row.parent = (a0 & CLONE_PARENT) !== 0 ? id('ppid') : id('pid');
  }
  if (EXEC.has(name)) {
    const cwd = recordOfType(ctx, AUDIT_RECORD.CWD);
    const execve = recordOfType(ctx, AUDIT_RECORD.EXECVE);
    const path = recordOfType(ctx, AUDIT_RECORD.PATH);
    if (!cwd || !execve || !path || !ctx.argv) return undefined;
    row.cwd = ctx.cwd ?? '';
    row.cmdline = ctx.argv.join(' ');
    row.cmdline_size = Buffer.byteLength(String(row.cmdline));
    row.mode = path.fields.get('mode') ?? '';
    row.owner_uid = auditNumber(path.fields.get('ouid'), 0);
    row.owner_gid = auditNumber(path.fields.get('ogid'), 0);
  }
  return row;
}
