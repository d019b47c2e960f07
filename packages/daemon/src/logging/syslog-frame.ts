/**
 * RFC 3164 ("BSD syslog") framing of one message, as glibc's syslog(3) sends it to /dev/log:
 *
 *   <PRI>Mmm dd hh:mm:ss ident[pid]: message
 *
 * PRI = facility * 8 + severity; the timestamp is local time with the day padded by a space (`Nov  8 09:05:01`).
 * No hostname: the local syslog daemon adds it, as it does for glibc's messages.
 */

/** Syslog severities (RFC 5424 §6.2.1). */
export const SyslogSeverity = {
  emerg: 0,
  alert: 1,
  crit: 2,
  err: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
} as const;
export type SyslogSeverityValue = (typeof SyslogSeverity)[keyof typeof SyslogSeverity];

/** Facility names by number (0-23), as rsyslog and syslog.h name them. */
export const SYSLOG_FACILITY_NAMES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'ntp', 'security', 'console', 'solaris-cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

function two(value: number): string {
  return String(value).padStart(2, '0');
}

/** The facility number checked: an integer 0-23, else an Error saying what the flag takes. */
export function checkedFacility(facility: number): number {
  if (!Number.isInteger(facility) || facility < 0 || facility > 23) {
    throw new Error(`--logger_syslog_facility=${facility} is not a syslog facility: use a number between 0 and 23 (1 = user, 3 = daemon, 16-23 = local0-local7; default 19 = local3)`);
  }
  return facility;
}

/** PRI = facility * 8 + severity. */
export function syslogPriority(facility: number, severity: SyslogSeverityValue): number {
  return checkedFacility(facility) * 8 + severity;
}

/** `Mmm dd hh:mm:ss` in local time (day space-padded, as strftime's `%h %e %T`). */
export function rfc3164Timestamp(at: Date): string {
  return `${MONTHS[at.getMonth()]} ${String(at.getDate()).padStart(2, ' ')} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

export interface SyslogMessage {
  facility: number;
  severity: SyslogSeverityValue;
  /** The tag: the program name (quarryd). */
  ident: string;
  pid: number;
  message: string;
  at?: Date;
}

/** The datagram text for one message: `<PRI>Mmm dd hh:mm:ss ident[pid]: message`. */
export function frameSyslogMessage(m: SyslogMessage): string {
  return `<${syslogPriority(m.facility, m.severity)}>${rfc3164Timestamp(m.at ?? new Date())} ${m.ident}[${m.pid}]: ${m.message}`;
}

/**
 * The syslog severity of a status line, as osquery's syslog plugin maps glog severities:
 * INFO → NOTICE, WARNING → WARNING, ERROR → ERR, FATAL → CRIT.
 */
export function statusSeverity(glogSeverity: 0 | 1 | 2 | 3): SyslogSeverityValue {
  return [SyslogSeverity.notice, SyslogSeverity.warning, SyslogSeverity.err, SyslogSeverity.crit][glogSeverity]!;
}

/** A status line's text as osquery's syslog plugin sends it: `severity=N location=SOURCE message=TEXT`. */
export function statusMessage(glogSeverity: 0 | 1 | 2 | 3, source: string, text: string): string {
  return `severity=${glogSeverity} location=${source} message=${text}`;
}
