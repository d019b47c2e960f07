/**
 * What the audit publisher may do to the kernel's audit configuration, decided from the status it found and the
 * flags. Pure, so every branch (including the immutable kernel, enabled=2, which cannot be undone without a reboot
 * and is therefore never produced on a test machine) is unit-tested.
 *
 * - enabled=2 (immutable): read-only, whatever the flags say; rules and settings cannot change until reboot.
 * - --audit_allow_config=false: read-only; Quarry changes nothing (enabled, failure, backlog, rules stay as found).
 *   With audit disabled in the kernel nothing will arrive, and the status says so.
 * - --audit_allow_config=true: enable audit only if it was off, set backlog_limit, backlog_wait_time and failure
 *   silent (osquery's settings), then install one rule. Everything is put back on stop; audit found on stays on.
 */
import type { AuditStatus, AuditStatusChange } from 'node-audit';

/** AUDIT_FAIL_SILENT: the kernel drops records it cannot deliver without printk or panic (osquery's setting). */
export const AUDIT_FAIL_SILENT = 0;

export type AuditKernelPlan =
  | { kind: 'configure'; change: AuditStatusChange; summary: string }
  | { kind: 'read-only'; reason: string; recordsExpected: boolean };

export interface AuditPlanSettings {
  allowConfig: boolean;
  backlogLimit: number;
  backlogWaitTime: number;
}

export function planAuditConfiguration(status: Pick<AuditStatus, 'enabled'>, settings: AuditPlanSettings): AuditKernelPlan {
  if (status.enabled === 2) {
    return {
      kind: 'read-only',
      reason: 'read-only: Linux audit is immutable (enabled=2, locked by `auditctl -e 2`); no rule or setting can change until reboot, '
        + 'so Quarry only reads what the installed rules produce',
      recordsExpected: true,
    };
  }
  if (status.enabled !== 0 && status.enabled !== 1) {
    return { kind: 'read-only', reason: `read-only: the kernel reports an unknown audit state enabled=${status.enabled}`, recordsExpected: true };
  }
  if (!settings.allowConfig) {
    if (status.enabled === 0) {
      return {
        kind: 'read-only',
        reason: 'read-only: Linux audit is disabled in the kernel (enabled=0) and --audit_allow_config=false, so Quarry changes nothing '
          + 'and no records will arrive; enable audit (`auditctl -e 1`) and add rules, or run with --audit_allow_config=true',
        recordsExpected: false,
      };
    }
    return {
      kind: 'read-only',
      reason: 'read-only: --audit_allow_config=false, so Quarry changes nothing in the kernel\'s audit configuration and reads what '
        + 'the installed rules produce (add rules with auditctl, or run with --audit_allow_config=true)',
      recordsExpected: true,
    };
  }
  const change: AuditStatusChange = {
    ...(status.enabled === 0 ? { enabled: 1 } : {}),
    backlogLimit: settings.backlogLimit,
    backlogWaitTime: settings.backlogWaitTime,
    failure: AUDIT_FAIL_SILENT,
  };
  return {
    kind: 'configure',
    change,
    summary: `configured: ${status.enabled === 0 ? 'audit enabled (was off; turned off again on exit), ' : ''}`
      + `backlog_limit ${settings.backlogLimit}, backlog_wait_time ${settings.backlogWaitTime}, failure silent`,
  };
}
