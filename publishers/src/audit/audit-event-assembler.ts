/**
 * Turns parsed audit records into events, as osquery's AuditEventPublisher::ProcessEvents does, with these changes:
 * EXECVE arguments are rebuilt exactly (aN_len/aN[i] chunks joined, numeric order); events that never receive their
 * EOE are flushed (marked incomplete) after a bounded time instead of silently dropped; the pending map is bounded;
 * this process's own syscalls are ignored by pid (osquery compares exe, which would hide every node process).
 * SELinux, AppArmor (AVC with apparmor=) and SECCOMP records become one-record events only when the matching
 * --audit_allow_*_events flag allows them; otherwise they are counted as filtered. USER_AVC (1107) counts as a
 * SELinux record and goes to selinux_events (osquery turns it into a user_events row with empty fields).
 * Pure and synchronous: the publisher feeds it batches and a clock.
 */
import { decodeAuditString, execveArguments, syscallName, type AuditRecord } from 'node-audit';
import type { AuditEventContext, AuditEventKind, AuditEventRecord } from './audit-event-context.js';

export type AssembledEvent = Omit<AuditEventContext, 'id' | 'time'>;

export interface AssemblerOptions {
  /** Syscall numbers that may fail and still be reported (bind, connect, accept, accept4 on this arch). */
  failureAllowedSyscalls: ReadonlySet<number>;
  allowSelinux: boolean;
  allowApparmor: boolean;
  allowSeccomp: boolean;
  /** Flush events without EOE after this many ms (default 5000). */
  incompleteAfterMs?: number;
  /** At most this many events wait for their EOE; beyond it the oldest is flushed (default 16384). */
  maxPending?: number;
  /** Syscalls of this pid are ignored (default: this process). */
  ownPid?: number;
}

export interface AssemblerStats {
  /** Records taken in. */
  records: number;
  /** Events handed out. */
  events: number;
  /** Events flushed without EOE. */
  incomplete: number;
  /** Records dropped by type (control, daemon, CONFIG_CHANGE, disabled SELinux/AppArmor/seccomp). */
  filtered: number;
  /** Records that belonged to no started event (no SYSCALL seen for their id). */
  orphans: number;
  /** SYSCALL records dropped: a required field was missing or not a number, a failed syscall, or our own pid. */
  droppedSyscalls: number;
  /** A second SYSCALL for an id that was still pending (the first is replaced, as osquery does). */
  duplicates: number;
}

const REQUIRED_SYSCALL_FIELDS = ['syscall', 'pid', 'ppid', 'uid', 'auid', 'euid', 'fsuid', 'suid', 'gid', 'egid', 'fsgid', 'sgid'];
const SELINUX_TYPES = new Set([1107, ...Array.from({ length: 18 }, (_, i) => 1400 + i)]);
const AUDIT_SYSCALL = 1300;
const AUDIT_EOE = 1320;
const AUDIT_SECCOMP = 1326;
const AUDIT_EXECVE = 1309;
const AUDIT_CWD = 1307;

interface Pending {
  event: AssembledEvent;
  arrivedMs: number;
}

function plain(record: AuditRecord): AuditEventRecord {
  return { type: record.type, typeName: record.typeName, fields: record.fields, text: record.text };
}

function archName(arch: string | undefined): 'x86_64' | 'aarch64' | undefined {
  if (arch === 'c000003e') return 'x86_64';
  if (arch === 'c00000b7') return 'aarch64';
  return undefined;
}

export class AuditEventAssembler {
  private readonly pending = new Map<string, Pending>();
  private readonly options: Required<AssemblerOptions>;
  readonly stats: AssemblerStats = { records: 0, events: 0, incomplete: 0, filtered: 0, orphans: 0, droppedSyscalls: 0, duplicates: 0 };

  constructor(options: AssemblerOptions) {
    this.options = { incompleteAfterMs: 5000, maxPending: 16384, ownPid: process.pid, ...options };
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Takes records in arrival order; returns the events they completed. */
  push(records: readonly AuditRecord[], nowMs: number): AssembledEvent[] {
    const out: AssembledEvent[] = [];
    for (const record of records) this.take(record, nowMs, out);
    return out;
  }

  /** Events whose EOE did not come within incompleteAfterMs, flushed as incomplete. */
  flushExpired(nowMs: number): AssembledEvent[] {
    const out: AssembledEvent[] = [];
    for (const [id, entry] of this.pending) {
      if (nowMs - entry.arrivedMs < this.options.incompleteAfterMs) break; // insertion order = arrival order
      this.pending.delete(id);
      out.push(this.finish(entry.event, true));
    }
    return out;
  }

  /** Everything still pending, as incomplete events (on stop). */
  flushAll(): AssembledEvent[] {
    const out = [...this.pending.values()].map((entry) => this.finish(entry.event, true));
    this.pending.clear();
    return out;
  }

  private take(record: AuditRecord, nowMs: number, out: AssembledEvent[]): void {
    this.stats.records++;
    const type = record.type;
    if (type < 1100 || (type >= 1200 && type <= 1299) || type === 1305 || type === 1329) {
      this.stats.filtered++;
      return;
    }
    if (type >= 1100 && type <= 1199 && type !== 1107) {
      out.push(this.single('user', record));
      return;
    }
    if (SELINUX_TYPES.has(type)) {
      const isApparmor = type === 1400 && record.text.includes('apparmor=');
      if (isApparmor ? this.options.allowApparmor : this.options.allowSelinux) out.push(this.single(isApparmor ? 'apparmor' : 'selinux', record));
      else this.stats.filtered++;
      return;
    }
    if (type === AUDIT_SECCOMP) {
      if (this.options.allowSeccomp) out.push(this.single('seccomp', record));
      else this.stats.filtered++;
      return;
    }
    if (type === AUDIT_SYSCALL) {
      this.startSyscall(record, nowMs, out);
      return;
    }
    const entry = this.pending.get(record.id);
    if (!entry) {
      this.stats.orphans++;
      return;
    }
    if (type === AUDIT_EOE) {
      this.pending.delete(record.id);
      out.push(this.finish(entry.event, false));
      return;
    }
    entry.event.records.push(plain(record));
  }

  private single(kind: AuditEventKind, record: AuditRecord): AssembledEvent {
    this.stats.events++;
    const exe = record.fields.get('exe');
    return {
      kind,
      auditId: record.id,
      auditTime: record.seconds,
      serial: record.serial,
      records: [plain(record)],
      exe: exe === undefined ? '' : decodeAuditString(exe),
      incomplete: false,
    };
  }

  private startSyscall(record: AuditRecord, nowMs: number, out: AssembledEvent[]): void {
    const f = record.fields;
    for (const name of REQUIRED_SYSCALL_FIELDS) {
      const value = f.get(name);
      if (value === undefined || !/^-?\d+$/.test(value)) {
        this.stats.droppedSyscalls++;
        return;
      }
    }
    if (Number(f.get('pid')) === this.options.ownPid) {
      this.stats.droppedSyscalls++;
      return;
    }
    const number = Number(f.get('syscall'));
    const success = (f.get('success') ?? 'yes') === 'yes';
    if (!success && !this.options.failureAllowedSyscalls.has(number)) {
      this.stats.droppedSyscalls++;
      return;
    }
    if (this.pending.has(record.id)) {
      this.stats.duplicates++;
      this.pending.delete(record.id);
    }
    const arch = archName(f.get('arch'));
    const exeValue = f.get('exe');
    const event: AssembledEvent = {
      kind: 'syscall',
      auditId: record.id,
      auditTime: record.seconds,
      serial: record.serial,
      records: [plain(record)],
      syscall: { number, name: (arch && syscallName(arch, number)) ?? String(number), success, exit: f.get('exit') ?? '' },
      exe: exeValue === undefined ? '' : decodeAuditString(exeValue),
      incomplete: false,
    };
    this.pending.set(record.id, { event, arrivedMs: nowMs });
    if (this.pending.size > this.options.maxPending) {
      const [oldestId, oldest] = this.pending.entries().next().value as [string, Pending];
      this.pending.delete(oldestId);
      out.push(this.finish(oldest.event, true));
    }
  }

  private finish(event: AssembledEvent, incomplete: boolean): AssembledEvent {
    this.stats.events++;
    if (incomplete) this.stats.incomplete++;
    event.incomplete = incomplete;
    const cwd = event.records.find((r) => r.type === AUDIT_CWD)?.fields.get('cwd');
    if (cwd !== undefined) event.cwd = decodeAuditString(cwd);
    const execve = event.records.filter((r) => r.type === AUDIT_EXECVE);
    if (execve.length > 0) {
      const argv = execveArguments(execve);
      if (argv.ok) {
        event.argv = argv.argv;
        event.argvComplete = argv.complete;
      }
    }
    return event;
  }
}
