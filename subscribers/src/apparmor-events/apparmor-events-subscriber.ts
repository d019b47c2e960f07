/**
 * apparmor_events (Linux, audit): one row per AppArmor AVC record (type 1400 with `apparmor=`: DENIED, ALLOWED in
 * complain mode, AUDIT, STATUS for profile loads), which the kernel emits without any audit rule. Needs
 * --audit_allow_apparmor_events (default false). `type` is "AA", `message` the raw text, and the record's fields are
 * parsed into columns: strings with their quotes removed (values the kernel hex-encodes, such as a name with a
 * space, decoded), numbers 0 when absent. A record whose apparmor field is empty makes no row (as osquery).
 */
import type { EventRingApi } from '@quarry/buffers';
import type { EventRowValues } from '@quarry/events';
import type { TableDefinition } from '@quarry/sql';
import {
  auditNumber, uptimeSeconds, type AuditEventContext, type AuditSubscription,
} from '../process-events/audit-event-context.js';
import { APPARMOR_EVENTS_COLUMNS, APPARMOR_EVENTS_DESCRIPTION, apparmorEventsTable } from './apparmor-events-table.js';
import { unquoted, untrustedString } from '../audit-string-field.js';
import { FlagGatedAuditSubscriber, type AuditSubscriberOptions } from '../flag-gated-audit-subscriber.js';

/** Fields AppArmor logs with audit_log_untrustedstring (quoted, or hex when they hold unsafe bytes). */
const UNTRUSTED_FIELDS = ['profile', 'name', 'comm', 'namespace', 'label'] as const;
/** Fields logged with a fixed format (quoted text, or a number such as error=-13). */
const PLAIN_FIELDS = ['apparmor', 'operation', 'denied_mask', 'capname', 'requested_mask', 'info', 'error'] as const;
const NUMBER_FIELDS = ['parent', 'pid', 'fsuid', 'ouid', 'capability'] as const;

export class ApparmorEventsSubscriber extends FlagGatedAuditSubscriber {
  readonly name = 'apparmor_events';
  readonly description = APPARMOR_EVENTS_DESCRIPTION;
  readonly columns = APPARMOR_EVENTS_COLUMNS;
  constructor(options: AuditSubscriberOptions = {}) {
    super('audit_allow_apparmor_events', false, options);
  }

  configure(): AuditSubscription[] {
    return [{ kinds: ['apparmor'] }];
  }

  table(ring: EventRingApi | undefined): TableDefinition {
    return apparmorEventsTable(ring);
  }

  protected toRows(ctx: AuditEventContext): EventRowValues[] {
    const row = apparmorEventRow(ctx);
    return row ? [row] : [];
  }
}

/** The row for one AppArmor event, or undefined when the event is not one AppArmor record with an apparmor field. */
export function apparmorEventRow(ctx: AuditEventContext): EventRowValues | undefined {
  if (ctx.kind !== 'apparmor') return undefined;
  const record = ctx.records[0];
  if (!record) return undefined;
  const f = record.fields;
  const row: EventRowValues = { type: 'AA', message: record.text, uptime: uptimeSeconds() };
  for (const name of PLAIN_FIELDS) row[name] = unquoted(f.get(name));
  for (const name of UNTRUSTED_FIELDS) row[name] = untrustedString(f.get(name));
  for (const name of NUMBER_FIELDS) row[name] = auditNumber(f.get(name), 0);
  if (row['apparmor'] === '') return undefined;
  return row;
}
