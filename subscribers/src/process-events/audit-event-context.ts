/**
 * The audit event contract (from @quarry/events) plus the small helpers the audit subscribers share. String fields
 * that need decoding (exe, cwd) come decoded from the publisher (AuditEventContext.exe / .cwd).
 */
import { uptime } from 'node:os';
import type { AuditEventContext, AuditEventRecord } from '@quarry/events';

export {
  AUDIT_PUBLISHER_TYPE,
  type AuditEventContext,
  type AuditEventKind,
  type AuditEventRecord,
  type AuditSubscription,
} from '@quarry/events';

/** A numeric field as a number (decimal), or the fallback when absent or not a number. */
export function auditNumber(value: string | undefined, fallback = 0): number {
  if (value === undefined || !/^-?\d+$/.test(value)) return fallback;
  return Number(value);
}

/** The first record of a type in an event. */
export function recordOfType(ctx: Pick<AuditEventContext, 'records'>, type: number): AuditEventRecord | undefined {
  return ctx.records.find((r) => r.type === type);
}

/** System uptime in whole seconds (osquery's `uptime` column of audit tables). */
export function uptimeSeconds(): number {
  return Math.floor(uptime());
}

export const AUDIT_RECORD = { SYSCALL: 1300, PATH: 1302, SOCKADDR: 1306, CWD: 1307, EXECVE: 1309, OBJ_PID: 1318 } as const;
