/**
 * What the audit publisher fires (type `auditeventpublisher`, osquery's name) and what its subscribers ask for.
 * Plain data only, so subscribers need neither node-audit nor the publisher. Like file-events-contract.ts, it lives
 * here because publishers and subscribers both depend on @quarry/events and not on each other.
 */
import type { EventContext } from './types.js';

export const AUDIT_PUBLISHER_TYPE = 'auditeventpublisher';

/** syscall: SYSCALL ... EOE; user: one USER_* record (1100-1199); selinux / apparmor / seccomp: one record. */
export type AuditEventKind = 'syscall' | 'user' | 'selinux' | 'apparmor' | 'seccomp';

/** One parsed record: values as logged (double quotes kept, hex left encoded). */
export interface AuditEventRecord {
  type: number;
  typeName: string;
  fields: ReadonlyMap<string, string>;
  text: string;
}

export interface AuditEventContext extends EventContext {
  kind: AuditEventKind;
  /** `<sec>.<msec>:<serial>` shared by the event's records. */
  auditId: string;
  /** Event time from the kernel: seconds since the epoch. */
  auditTime: number;
  serial: number;
  /** The records in arrival order; for a syscall event the SYSCALL record comes first. */
  records: AuditEventRecord[];
  /** syscall events: the syscall number and name (x86_64/aarch64 table), `success` (yes/no), `exit`. */
  syscall?: { number: number; name: string; success: boolean; exit: string };
  /** The first record's `exe`, decoded (quotes removed, hex turned into UTF-8); '' when it has none. */
  exe: string;
  /** syscall events with a CWD record: its `cwd`, decoded like `exe`. */
  cwd?: string;
  /** exec events: argv rebuilt from the EXECVE records (aN_len/aN[i] joined, numeric order). */
  argv?: string[];
  /** False when an argument below argc was missing in the EXECVE records. */
  argvComplete?: boolean;
  /** True when the event was flushed after a timeout without its EOE record. */
  incomplete: boolean;
}

/** A subscriber's subscription: the kinds of event it wants. */
export interface AuditSubscription {
  kinds: AuditEventKind[];
}

/** process_file_events' operations (osquery's names; Quarry reports opens by intent, see the publisher). */
export type FimOperation = 'open+truncate' | 'read' | 'write' | 'unlink' | 'rename' | 'link' | 'symlink';

/** What the audit publisher attaches to an event it hands to process_file_events (AuditFimEventContext.fim). */
export interface AuditFimFacts {
  operation: FimOperation;
  /** The object's absolute path (relative as logged when partial). */
  path: string;
  /** rename/link/symlink: the new name; '' otherwise. */
  destPath: string;
  /** True when a relative name could not be made absolute (its directory fd was gone). */
  partial: boolean;
  /** Read-only open (shown only with --audit_fim_show_accesses). */
  access: boolean;
}

/** An audit event as process_file_events receives it: the usual context plus the FIM facts. */
export type AuditFimEventContext = AuditEventContext & { fim?: AuditFimFacts };
