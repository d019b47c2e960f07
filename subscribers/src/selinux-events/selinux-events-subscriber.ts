/**
 * selinux_events (Linux, audit): one row per SELinux record (AVC denials and grants, SELINUX_ERR, policy loads,
 * enforcing changes, labeled networking, USER_AVC from userspace object managers), which the kernel and SELinux-aware
 * daemons emit without any audit rule. Needs --audit_allow_selinux_events (default false). AVC records that carry
 * `apparmor=` are AppArmor's and go to apparmor_events. `type` is the record type's label, `message` the raw text.
 */
import type { EventRingApi } from '@quarry/buffers';
import type { EventRowValues } from '@quarry/events';
import type { TableDefinition } from '@quarry/sql';
import {
  uptimeSeconds, type AuditEventContext, type AuditSubscription,
} from '../process-events/audit-event-context.js';
import { SELINUX_EVENTS_COLUMNS, SELINUX_EVENTS_DESCRIPTION, selinuxEventsTable } from './selinux-events-table.js';
import { selinuxTypeLabel } from './selinux-record-types.js';
import { FlagGatedAuditSubscriber, type AuditSubscriberOptions } from '../flag-gated-audit-subscriber.js';

export class SelinuxEventsSubscriber extends FlagGatedAuditSubscriber {
  readonly name = 'selinux_events';
  readonly description = SELINUX_EVENTS_DESCRIPTION;
  readonly columns = SELINUX_EVENTS_COLUMNS;
  constructor(options: AuditSubscriberOptions = {}) {
    super('audit_allow_selinux_events', false, options);
  }

  configure(): AuditSubscription[] {
    return [{ kinds: ['selinux'] }];
  }

  table(ring: EventRingApi | undefined): TableDefinition {
    return selinuxEventsTable(ring);
  }

  protected toRows(ctx: AuditEventContext): EventRowValues[] {
    const row = selinuxEventRow(ctx);
    return row ? [row] : [];
  }
}

/** The row for one SELinux event, or undefined when the event is not one SELinux record. */
export function selinuxEventRow(ctx: AuditEventContext): EventRowValues | undefined {
  if (ctx.kind !== 'selinux') return undefined;
  const record = ctx.records[0];
  if (!record) return undefined;
  return { type: selinuxTypeLabel(record.type), message: record.text, uptime: uptimeSeconds() };
}
