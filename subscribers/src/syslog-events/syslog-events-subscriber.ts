/**
 * syslog_events (Linux): one row per line the syslog publisher read from rsyslog's pipe. `datetime` is rsyslog's
 * RFC 3339 timestamp as it wrote it; `time` is when Quarry stored the row (osquery overwrites any subscriber time
 * with the storage time too); `severity` the number, `facility` the name. Rows are kept by --syslog_events_expiry and
 * --syslog_events_max instead of --events_expiry / --events_max: pass syslogRingLimits(flags) to the event store.
 */
import type { EventRingApi, RingLimits } from '@quarry/buffers';
import {
  EventSubscriber, SYSLOG_PUBLISHER_TYPE, flagInteger,
  type EventRowValues, type FlagSource, type SyslogEventContext, type SyslogSubscription,
} from '@quarry/events';
import type { TableDefinition } from '@quarry/sql';
import { SYSLOG_EVENTS_COLUMNS, SYSLOG_EVENTS_DESCRIPTION, syslogEventsTable } from './syslog-events-table.js';

/** osquery's defaults: 30 days, 100000 rows. */
export const SYSLOG_EVENTS_EXPIRY_DEFAULT = 2_592_000;
export const SYSLOG_EVENTS_MAX_DEFAULT = 100_000;

/** The retention of the syslog_events ring, from --syslog_events_expiry and --syslog_events_max. */
export function syslogRingLimits(flags: FlagSource): Record<string, RingLimits> {
  return {
    syslog_events: {
      eventsExpiry: flagInteger(flags, 'syslog_events_expiry', SYSLOG_EVENTS_EXPIRY_DEFAULT),
      eventsMax: flagInteger(flags, 'syslog_events_max', SYSLOG_EVENTS_MAX_DEFAULT),
    },
  };
}

export class SyslogEventsSubscriber extends EventSubscriber<SyslogSubscription, SyslogEventContext, EventRingApi> {
  readonly name = 'syslog_events';
  readonly publisherType = SYSLOG_PUBLISHER_TYPE;
  readonly description = SYSLOG_EVENTS_DESCRIPTION;
  readonly columns = SYSLOG_EVENTS_COLUMNS;

  configure(): SyslogSubscription[] {
    return [{}];
  }

  table(ring: EventRingApi | undefined): TableDefinition {
    return syslogEventsTable(ring);
  }

  protected toRows(ctx: SyslogEventContext): EventRowValues[] {
    return [syslogEventRow(ctx)];
  }
}

export function syslogEventRow(ctx: SyslogEventContext): EventRowValues {
  const f = ctx.fields;
  return {
    datetime: f.datetime,
    host: f.host,
    severity: Number.parseInt(f.severity, 10),
    facility: f.facility,
    tag: f.tag,
    message: f.message,
  };
}
