/**
 * seccomp_events (Linux, audit): one row per AUDIT_SECCOMP (1326) record, which the kernel emits when a seccomp filter
 * kills a process or thread, returns SECCOMP_RET_LOG, or acts with SECCOMP_FILTER_FLAG_LOG set (and the action is
 * listed in /proc/sys/kernel/seccomp/actions_logged). Needs --audit_allow_seccomp_events (default false) and the audit
 * publisher. arch is symbolic, syscall is the x86_64 name when arch is X86_64 (else the number), code the action name.
 */
import type { EventRingApi } from '@quarry/buffers';
import type { EventRowValues } from '@quarry/events';
import type { TableDefinition } from '@quarry/sql';
import {
  auditNumber, uptimeSeconds, type AuditEventContext, type AuditSubscription,
} from '../process-events/audit-event-context.js';
import { hexField, untrustedString } from '../audit-string-field.js';
import { AUDIT_ARCH_X86_64, auditArchLabel } from './seccomp-arch.js';
import { seccompActionLabel } from './seccomp-action.js';
import { x86_64SyscallName } from './x86-64-syscall-names.js';
import { SECCOMP_EVENTS_COLUMNS, SECCOMP_EVENTS_DESCRIPTION, seccompEventsTable } from './seccomp-events-table.js';
import { FlagGatedAuditSubscriber, type AuditSubscriberOptions } from '../flag-gated-audit-subscriber.js';

export const AUDIT_SECCOMP = 1326;

export class SeccompEventsSubscriber extends FlagGatedAuditSubscriber {
  readonly name = 'seccomp_events';
  readonly description = SECCOMP_EVENTS_DESCRIPTION;
  readonly columns = SECCOMP_EVENTS_COLUMNS;
  constructor(options: AuditSubscriberOptions = {}) {
    super('audit_allow_seccomp_events', false, options);
  }

  configure(): AuditSubscription[] {
    return [{ kinds: ['seccomp'] }];
  }

  table(ring: EventRingApi | undefined): TableDefinition {
    return seccompEventsTable(ring);
  }

  protected toRows(ctx: AuditEventContext): EventRowValues[] {
    const row = seccompEventRow(ctx);
    return row ? [row] : [];
  }
}

/** The row for one seccomp event, or undefined when the event is not one SECCOMP record. */
export function seccompEventRow(ctx: AuditEventContext): EventRowValues | undefined {
  if (ctx.kind !== 'seccomp') return undefined;
  const record = ctx.records[0];
  if (!record || record.type !== AUDIT_SECCOMP) return undefined;
  const f = record.fields;
  const arch = hexField(f.get('arch'));
  const syscallNumber = auditNumber(f.get('syscall'), 0);
  // Named from the x86_64 table only when the filtered call was an x86_64 one (osquery names no other arch).
  const syscall = (arch === AUDIT_ARCH_X86_64 ? x86_64SyscallName(syscallNumber) : undefined) ?? String(syscallNumber);
  const code = hexField(f.get('code'));
  return {
    uptime: uptimeSeconds(),
    auid: auditNumber(f.get('auid'), 0),
    uid: auditNumber(f.get('uid'), 0),
    gid: auditNumber(f.get('gid'), 0),
    ses: auditNumber(f.get('ses'), 0),
    pid: auditNumber(f.get('pid'), 0),
    comm: untrustedString(f.get('comm')),
    exe: ctx.exe,
    sig: auditNumber(f.get('sig'), 0),
    arch: arch === undefined ? '' : auditArchLabel(arch),
    syscall,
    compat: auditNumber(f.get('compat'), 0),
    ip: f.get('ip') ?? '',
    code: code === undefined ? '' : seccompActionLabel(code),
  };
}
