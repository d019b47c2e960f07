/** The syslog publisher's contract with its subscribers lives in @quarry/events (subscribers may not import publishers). */
export { SYSLOG_PUBLISHER_TYPE, type SyslogEventContext, type SyslogLineFields, type SyslogSubscription } from '@quarry/events';
