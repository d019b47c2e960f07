/**
 * The contract between the syslog publisher (@quarry/publishers, osquery type `syslog`) and syslog_events; it lives
 * here because subscribers may not import publishers. The publisher fires the six fields of one line rsyslog wrote into the pipe
 * with osquery's CSV template (datetime, host, severity, facility, tag, message). Subscribers hand it one empty
 * subscription: every line goes to every syslog subscriber.
 */
import type { EventContext } from './types.js';

export const SYSLOG_PUBLISHER_TYPE = 'syslog';

export interface SyslogLineFields {
  /** The timestamp as rsyslog formatted it (`date-rfc3339`), e.g. 2026-11-28T01:38:50.123456+00:00. */
  datetime: string;
  host: string;
  /** The numeric severity (0 emerg … 7 debug), as text of digits. */
  severity: string;
  /** The facility name (`syslogfacility-text`), e.g. auth, daemon, local3. */
  facility: string;
  /** The syslog tag without rsyslog's trailing colon, e.g. `sshd[812]`. */
  tag: string;
  message: string;
}

export interface SyslogEventContext extends EventContext {
  fields: SyslogLineFields;
}

/** Syslog subscriptions carry nothing (osquery's SyslogSubscriptionContext is empty too). */
export type SyslogSubscription = Record<string, never>;
