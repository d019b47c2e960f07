/**
 * The audit publisher's settings, read from osquery's flags (names and defaults in @quarry/config's audit group),
 * and the syscalls its one rule covers (osquery's table, reference §2.2).
 */
import { flagBoolean, flagValue, type FlagSource } from '@quarry/events';

export type AuditListen = 'auto' | 'unicast' | 'multicast';

export interface AuditSettings {
  disableAudit: boolean;
  allowConfig: boolean;
  persist: boolean;
  allowProcessEvents: boolean;
  allowForkProcessEvents: boolean;
  allowKillProcessEvents: boolean;
  allowSockets: boolean;
  allowAcceptSocketEvents: boolean;
  allowUserEvents: boolean;
  backlogLimit: number;
  backlogWaitTime: number;
  forceReconfigure: boolean;
  forceUnconfigure: boolean;
  debug: boolean;
  listen: AuditListen;
}

/** A non-negative int32 flag; throws naming the flag when the value is negative or not a whole number. */
function count(flags: FlagSource, name: string, fallback: number): number {
  const raw = flagValue(flags, name) ?? fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new Error(`--${name} must be a whole number from 0 to 2147483647, got "${String(raw)}"`);
  }
  return value;
}

/** Reads the audit flags; throws naming --audit_listen when its value is not auto, unicast or multicast. */
export function auditSettingsFromFlags(flags: FlagSource): AuditSettings {
  const listen = String(flagValue(flags, 'audit_listen') ?? 'auto');
  if (listen !== 'auto' && listen !== 'unicast' && listen !== 'multicast') {
    throw new Error(`--audit_listen must be auto, unicast or multicast, got "${listen}"`);
  }
  return {
    disableAudit: flagBoolean(flags, 'disable_audit', true),
    allowConfig: flagBoolean(flags, 'audit_allow_config', false),
    persist: flagBoolean(flags, 'audit_persist', true),
    allowProcessEvents: flagBoolean(flags, 'audit_allow_process_events', true),
    allowForkProcessEvents: flagBoolean(flags, 'audit_allow_fork_process_events', false),
    allowKillProcessEvents: flagBoolean(flags, 'audit_allow_kill_process_events', false),
    allowSockets: flagBoolean(flags, 'audit_allow_sockets', false),
    allowAcceptSocketEvents: flagBoolean(flags, 'audit_allow_accept_socket_events', true),
    allowUserEvents: flagBoolean(flags, 'audit_allow_user_events', true),
    backlogLimit: count(flags, 'audit_backlog_limit', 4096),
    backlogWaitTime: count(flags, 'audit_backlog_wait_time', 0),
    forceReconfigure: flagBoolean(flags, 'audit_force_reconfigure', false),
    forceUnconfigure: flagBoolean(flags, 'audit_force_unconfigure', false),
    debug: flagBoolean(flags, 'audit_debug', false),
    listen,
  };
}

/**
 * True when some audit subscriber is allowed (osquery enables the publisher only then). osquery's
 * --audit_allow_fim_events, --audit_allow_selinux_events, --audit_allow_apparmor_events and
 * --audit_allow_seccomp_events feed tables Quarry does not have (process_file_events, selinux_events,
 * apparmor_events, seccomp_events): they are not read, install no rules and never start the publisher (the flags
 * say so when set: FlagDefinition.noEffect).
 */
export function anyAuditSourceAllowed(s: AuditSettings): boolean {
  return s.allowProcessEvents || s.allowSockets || s.allowUserEvents || s.allowKillProcessEvents;
}

/** Syscall names for the publisher's single rule (osquery's sets), before filtering by architecture. */
export function auditRuleSyscalls(s: AuditSettings): string[] {
  const names: string[] = [];
  if (s.allowProcessEvents) {
    names.push('execve', 'execveat');
    if (s.allowForkProcessEvents) names.push('clone', 'fork', 'vfork');
    if (s.allowKillProcessEvents) names.push('kill', 'tkill', 'tgkill');
  }
  if (s.allowSockets) {
    names.push('bind', 'connect');
    if (s.allowAcceptSocketEvents) names.push('accept', 'accept4');
  }
  return [...new Set(names)];
}

/** Syscalls allowed to fail and still reach subscribers (socket_events reports failures and in-progress connects). */
export const FAILURE_ALLOWED_SYSCALLS = ['bind', 'connect', 'accept', 'accept4'];
