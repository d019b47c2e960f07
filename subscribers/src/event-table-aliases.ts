/**
 * osquery's aliases of event tables (`syslog` for syslog_events). Kept apart, with no imports, so the shell can tell
 * from a statement's words alone that it reaches the event side (which it loads on demand).
 */
export const EVENT_TABLE_ALIASES: Readonly<Record<string, readonly string[]>> = {
  syslog_events: ['syslog'],
};

/** Every alias name of every event table. */
export const EVENT_TABLE_ALIAS_NAMES: ReadonlySet<string> = new Set(Object.values(EVENT_TABLE_ALIASES).flat());
