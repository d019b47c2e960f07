/**
 * process_file_events (Linux, audit-based FIM): which process touched which monitored file. Needs
 * --audit_allow_fim_events=true (default false) and the audit publisher (--disable_audit=false; rules need
 * --audit_allow_config=true). The subscription carries the config's `file_paths` / `exclude_paths`; the publisher
 * installs path-filtered kernel rules for them, matches the exact patterns and hands over only matching events, each
 * with its facts (operation, absolute path, dest_path, partial) attached as `fim` (see the publisher's
 * audit-fim-rules.ts and audit-fim-event.ts for the design and how it differs from osquery). This file only maps
 * those facts and the SYSCALL record's ids to osquery's columns (ids as TEXT, as osquery's spec says).
 */
import type { EventRingApi } from '@quarry/buffers';
import {
  fileSubscriptionsFromConfig, type AuditFimEventContext, type EventRowValues, type EventsConfig, type FileSubscription,
} from '@quarry/events';
import type { TableDefinition } from '@quarry/sql';
import {
  AUDIT_RECORD, auditNumber, uptimeSeconds, type AuditEventContext, type AuditSubscription,
} from '../process-events/audit-event-context.js';
import { PROCESS_FILE_EVENTS_COLUMNS, PROCESS_FILE_EVENTS_DESCRIPTION, processFileEventsTable } from './process-file-events-table.js';
import { FlagGatedAuditSubscriber, type AuditSubscriberOptions } from '../flag-gated-audit-subscriber.js';

/** The subscription: file_events' FileSubscription list (the publisher's AuditFimSubscription). */
export interface ProcessFileSubscription extends AuditSubscription {
  fim: { files: readonly FileSubscription[] };
}

const ID_FIELDS = ['uid', 'gid', 'auid', 'euid', 'egid', 'fsuid', 'fsgid', 'suid', 'sgid'] as const;

export class ProcessFileEventsSubscriber extends FlagGatedAuditSubscriber {
  readonly name = 'process_file_events';
  readonly description = PROCESS_FILE_EVENTS_DESCRIPTION;
  readonly columns = PROCESS_FILE_EVENTS_COLUMNS;
  constructor(options: AuditSubscriberOptions = {}) {
    super('audit_allow_fim_events', false, options);
  }

  /** Every file_paths category (osquery's process_file_events uses them all; file_accesses does not apply). */
  configure(config: EventsConfig): ProcessFileSubscription[] {
    const files = fileSubscriptionsFromConfig(config);
    return [{ kinds: ['syscall'], fim: { files } }];
  }

  table(ring: EventRingApi | undefined): TableDefinition {
    return processFileEventsTable(ring);
  }

  protected toRows(ctx: AuditEventContext): EventRowValues[] {
    const row = processFileEventRow(ctx as AuditFimEventContext);
    return row ? [row] : [];
  }
}

/** The row for one FIM event, or undefined when the publisher attached no facts. */
export function processFileEventRow(ctx: AuditFimEventContext): EventRowValues | undefined {
  const facts = ctx.fim;
  const syscall = ctx.records[0];
  if (ctx.kind !== 'syscall' || !facts || !syscall || syscall.type !== AUDIT_RECORD.SYSCALL) return undefined;
  const f = syscall.fields;
  const row: EventRowValues = {
    operation: facts.operation,
    pid: auditNumber(f.get('pid'), 0),
    ppid: auditNumber(f.get('ppid'), 0),
    executable: ctx.exe,
    partial: facts.partial ? 'true' : 'false',
    cwd: ctx.cwd ?? '',
    path: facts.path,
    dest_path: facts.destPath,
    uptime: uptimeSeconds(),
  };
  for (const id of ID_FIELDS) row[id] = f.get(id) ?? '';
  return row;
}
