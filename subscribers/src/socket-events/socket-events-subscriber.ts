/**
 * socket_events (Linux, audit): one row per bind, connect, accept or accept4 with a SOCKADDR record, built as
 * osquery does (reference §2.7): bind fills local_*, connect/accept fill remote_*; IPv6 addresses are eight
 * uncompressed lowercase groups; AF_NETLINK is skipped; AF_UNIX only with --audit_allow_unix; failed calls only
 * with --audit_allow_failed_socket_events; a non-blocking accept that found no client only with
 * --audit_allow_null_accept_socket_events.
 */
import type { EventRingApi } from '@quarry/buffers';
import { flagBoolean, type EventRowValues, type FlagSource } from '@quarry/events';
import type { TableDefinition } from '@quarry/sql';
import {
  AUDIT_RECORD, auditNumber, recordOfType, uptimeSeconds,
  type AuditEventContext, type AuditSubscription,
} from '../process-events/audit-event-context.js';
import { SOCKET_EVENTS_COLUMNS, SOCKET_EVENTS_DESCRIPTION, socketEventsTable } from './socket-events-table.js';
import { FlagGatedAuditSubscriber } from '../flag-gated-audit-subscriber.js';

export interface SocketEventsOptions {
  allowed: boolean;
  allowAccept: boolean;
  allowFailed: boolean;
  allowNullAccept: boolean;
  allowUnix: boolean;
}

const EINPROGRESS = 115;
const EAGAIN = 11;

export function socketEventsOptionsFromFlags(flags: FlagSource): SocketEventsOptions {
  return {
    allowed: flagBoolean(flags, 'audit_allow_sockets', false),
    allowAccept: flagBoolean(flags, 'audit_allow_accept_socket_events', true),
    allowFailed: flagBoolean(flags, 'audit_allow_failed_socket_events', false),
    allowNullAccept: flagBoolean(flags, 'audit_allow_null_accept_socket_events', false),
    allowUnix: flagBoolean(flags, 'audit_allow_unix', false),
  };
}

export class SocketEventsSubscriber extends FlagGatedAuditSubscriber {
  readonly name = 'socket_events';
  readonly description = SOCKET_EVENTS_DESCRIPTION;
  readonly columns = SOCKET_EVENTS_COLUMNS;
  private readonly options: SocketEventsOptions;

  constructor(options: { flags?: FlagSource } & Partial<SocketEventsOptions> = {}) {
    super('audit_allow_sockets', false, options);
    const fromFlags = options.flags ? socketEventsOptionsFromFlags(options.flags) : { allowed: false, allowAccept: true, allowFailed: false, allowNullAccept: false, allowUnix: false };
    this.options = {
      allowed: options.allowed ?? fromFlags.allowed,
      allowAccept: options.allowAccept ?? fromFlags.allowAccept,
      allowFailed: options.allowFailed ?? fromFlags.allowFailed,
      allowNullAccept: options.allowNullAccept ?? fromFlags.allowNullAccept,
      allowUnix: options.allowUnix ?? fromFlags.allowUnix,
    };
  }

  configure(): AuditSubscription[] {
    return [{ kinds: ['syscall'] }];
  }

  table(ring: EventRingApi | undefined): TableDefinition {
    return socketEventsTable(ring);
  }

  protected toRows(ctx: AuditEventContext): EventRowValues[] {
    const row = socketEventRow(ctx, this.options);
    return row ? [row] : [];
  }
}

/** The row for one audit event, or undefined when osquery would not emit one. */
export function socketEventRow(ctx: AuditEventContext, options: SocketEventsOptions): EventRowValues | undefined {
  if (ctx.kind !== 'syscall' || !ctx.syscall) return undefined;
  const name = ctx.syscall.name;
  let action: string;
  if (name === 'bind') action = 'bind';
  else if (name === 'connect') action = 'connect';
  else if (name === 'accept' || name === 'accept4') {
    if (!options.allowAccept) return undefined;
    action = 'accept';
  } else return undefined;

  const exit = auditNumber(ctx.syscall.exit, 0);
  let status: string;
  if (ctx.syscall.success) status = 'succeeded';
  else if (action === 'connect' && exit === -EINPROGRESS) status = 'in_progress';
  else if (action === 'accept' && exit === -EAGAIN) {
    if (!options.allowNullAccept) return undefined;
    status = 'no_client';
  } else {
    if (!options.allowFailed) return undefined;
    status = 'failed';
  }

  const sockaddr = recordOfType(ctx, AUDIT_RECORD.SOCKADDR);
  const saddr = sockaddr?.fields.get('saddr');
  if (!saddr || saddr.length < 4 || saddr.startsWith('10')) return undefined;
  const f = ctx.records[0]!.fields;
  const row: EventRowValues = {
    action,
    pid: auditNumber(f.get('pid'), 0),
    path: ctx.exe,
    fd: f.get('a0') ?? '',
    auid: auditNumber(f.get('auid'), 0),
    success: status === 'failed' ? 0 : 1,
    family: 0,
    protocol: 0,
    local_address: '',
    remote_address: '',
    local_port: 0,
    remote_port: 0,
    socket: '',
    uptime: uptimeSeconds(),
    status,
  };
  const side = action === 'bind' ? 'local' : 'remote';
  const family = saddr.slice(0, 4).toUpperCase();
  if (family === '0200') {
    if (saddr.length < 16) return undefined;
    row.family = 2;
    row[`${side}_port`] = Number.parseInt(saddr.slice(4, 8), 16);
    row[`${side}_address`] = [8, 10, 12, 14].map((i) => Number.parseInt(saddr.slice(i, i + 2), 16)).join('.');
  } else if (family === '0A00') {
    if (saddr.length < 48) return undefined;
    row.family = 10;
    row[`${side}_port`] = Number.parseInt(saddr.slice(4, 8), 16);
    const groups: string[] = [];
    for (let g = 0; g < 8; g++) groups.push(saddr.slice(16 + g * 4, 20 + g * 4).toLowerCase());
    row[`${side}_address`] = groups.join(':');
  } else if (family === '0100') {
    if (!options.allowUnix || saddr.length <= 6) return undefined;
    row.family = 1;
    const start = saddr.slice(4, 6) === '00' ? 6 : 4;
    let path = 'unknown';
    try {
      const bytes = Buffer.from(saddr.slice(start), 'hex');
      const end = bytes.indexOf(0);
      path = (end < 0 ? bytes : bytes.subarray(0, end)).toString('utf8');
    } catch {
      path = 'unknown';
    }
    row.socket = path;
  } else {
    return undefined;
  }
  return row;
}
