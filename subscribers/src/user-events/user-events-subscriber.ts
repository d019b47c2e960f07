/**
 * user_events (Linux, audit): one row per USER_* record (1100-1199: PAM, sshd, sudo, systemd, ...), which arrive
 * without any audit rule. `message` is the whole text inside msg='...' (osquery keeps only its first word and a
 * stray quote; the key=value pairs inside are still read for exe, addr and terminal as osquery does).
 */
import type { EventRingApi } from '@quarry/buffers';
import type { EventRowValues } from '@quarry/events';
import type { TableDefinition } from '@quarry/sql';
import {
  auditNumber, uptimeSeconds, type AuditEventContext, type AuditSubscription,
} from '../process-events/audit-event-context.js';
import { USER_EVENTS_COLUMNS, USER_EVENTS_DESCRIPTION, userEventsTable } from './user-events-table.js';
import { FlagGatedAuditSubscriber, type AuditSubscriberOptions } from '../flag-gated-audit-subscriber.js';

export class UserEventsSubscriber extends FlagGatedAuditSubscriber {
  readonly name = 'user_events';
  readonly description = USER_EVENTS_DESCRIPTION;
  readonly columns = USER_EVENTS_COLUMNS;
  constructor(options: AuditSubscriberOptions = {}) {
    super('audit_allow_user_events', true, options);
  }

  configure(): AuditSubscription[] {
    return [{ kinds: ['user'] }];
  }

  table(ring: EventRingApi | undefined): TableDefinition {
    return userEventsTable(ring);
  }

  protected toRows(ctx: AuditEventContext): EventRowValues[] {
    const row = userEventRow(ctx);
    return row ? [row] : [];
  }
}

export function userEventRow(ctx: AuditEventContext): EventRowValues | undefined {
  if (ctx.kind !== 'user') return undefined;
  const record = ctx.records[0];
  if (!record || record.type < 1100 || record.type > 1199) return undefined;
  const f = record.fields;
  return {
    uid: auditNumber(f.get('uid'), 0),
    auid: auditNumber(f.get('auid'), 0),
    pid: auditNumber(f.get('pid'), 0),
    message: f.get('msg') ?? '',
    type: record.type,
    path: ctx.exe,
    address: f.get('addr') ?? '',
    terminal: f.get('terminal') ?? '',
    uptime: uptimeSeconds(),
  };
}
