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
  /** SELinux records (USER_AVC, 1400-1417 without apparmor=) to selinux_events. */
  allowSelinuxEvents: boolean;
  /** AVC records with apparmor= to apparmor_events. */
  allowApparmorEvents: boolean;
  /** AUDIT_SECCOMP (1326) records to seccomp_events. */
  allowSeccompEvents: boolean;
  /** process_file_events: FIM rules from file_paths (audit-fim-rules.ts). */
  allowFimEvents: boolean;
  /** process_file_events: also rows whose path could not be made absolute (partial=true). */
  showPartialFimEvents: boolean;
  /** process_file_events: also read-only opens (adds `r` to the FIM rules). */
  fimShowAccesses: boolean;
  /** process_file_events: warn (at most once a minute) when a path could not be resolved (an untracked resource). */
  showUntrackedResWarnings: boolean;
  /** process_file_events: log the rule plan and every FIM event dropped or kept, with the reason. */
  fimDebug: boolean;
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
    allowSelinuxEvents: flagBoolean(flags, 'audit_allow_selinux_events', false),
    allowApparmorEvents: flagBoolean(flags, 'audit_allow_apparmor_events', false),
    allowSeccompEvents: flagBoolean(flags, 'audit_allow_seccomp_events', false),
    allowFimEvents: flagBoolean(flags, 'audit_allow_fim_events', false),
    showPartialFimEvents: flagBoolean(flags, 'audit_show_partial_fim_events', false),
    fimShowAccesses: flagBoolean(flags, 'audit_fim_show_accesses', false),
    showUntrackedResWarnings: flagBoolean(flags, 'audit_show_untracked_res_warnings', false),
    fimDebug: flagBoolean(flags, 'audit_fim_debug', false),
    backlogLimit: count(flags, 'audit_backlog_limit', 4096),
    backlogWaitTime: count(flags, 'audit_backlog_wait_time', 0),
    forceReconfigure: flagBoolean(flags, 'audit_force_reconfigure', false),
    forceUnconfigure: flagBoolean(flags, 'audit_force_unconfigure', false),
    debug: flagBoolean(flags, 'audit_debug', false),
    listen,
  };
}

/**
 * True when some audit subscriber is allowed (osquery enables the publisher only then). The SELinux, AppArmor and
 * seccomp flags count: their records need no rule (the kernel emits them on its own) but do need the publisher
 * listening. --audit_allow_fim_events (process_file_events) counts too: its rules come from file_paths.
 */
export function anyAuditSourceAllowed(s: AuditSettings): boolean {
  return s.allowProcessEvents || s.allowSockets || s.allowUserEvents || s.allowKillProcessEvents
    || s.allowSelinuxEvents || s.allowApparmorEvents || s.allowSeccompEvents || s.allowFimEvents;
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
