import type { TableDefinition } from '@quarry/sql';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const two = (n: number): string => String(n).padStart(2, '0');

/** asctime(3) layout of a UTC instant followed by " UTC", as osquery's log timestamps: "Fri Nov 27 22:17:54 2026 UTC". */
function asciiTime(date: Date): string {
  const weekday = WEEKDAYS[date.getUTCDay()]!.slice(0, 3);
  const month = SHORT_MONTHS[date.getUTCMonth()]!;
  const day = String(date.getUTCDate()).padStart(2, ' ');
  const clock = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${weekday} ${month} ${day} ${clock} ${date.getUTCFullYear()} UTC`;
}

/** The local zone's abbreviation (strftime %Z); "UTC" when the zone has none. */
function localZoneAbbreviation(date: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(date)
    .find((p) => p.type === 'timeZoneName');
  return part?.value || 'UTC';
}

/** The current time in UTC, one row. `local_time` is kept from osquery ≤ 5.1 because the workshop queries it. */
export const time: TableDefinition = {
  name: 'time',
  description: 'Track current date and time in UTC.',
  attributes: { utility: true },
  columns: [
    { name: 'weekday', type: 'TEXT', description: 'Current weekday in UTC' },
    { name: 'year', type: 'INTEGER', description: 'Current year in UTC' },
    { name: 'month', type: 'INTEGER', description: 'Current month in UTC' },
    { name: 'day', type: 'INTEGER', description: 'Current day in UTC' },
    { name: 'hour', type: 'INTEGER', description: 'Current hour in UTC' },
    { name: 'minutes', type: 'INTEGER', description: 'Current minutes in UTC' },
    { name: 'seconds', type: 'INTEGER', description: 'Current seconds in UTC' },
    { name: 'timezone', type: 'TEXT', description: 'Timezone for reported time (hardcoded to UTC)' },
    { name: 'local_timezone', type: 'TEXT', description: 'Current local timezone in of the system' },
    { name: 'unix_time', type: 'INTEGER', description: 'Current UNIX time in UTC' },
    { name: 'timestamp', type: 'TEXT', description: 'Current timestamp (log format) in UTC' },
    { name: 'datetime', type: 'TEXT', description: 'Current date and time (ISO format) in UTC', aliases: ['date_time'] },
    { name: 'iso_8601', type: 'TEXT', description: 'Current time (ISO format) in UTC' },
    { name: 'local_time', type: 'INTEGER', description: 'Current local UNIX time (osquery up to 5.1; kept for compatibility)' },
  ],
  *generate() {
    const unixTime = Math.floor(Date.now() / 1000);
    const now = new Date(unixTime * 1000);
    const iso = `${now.toISOString().slice(0, 19)}Z`;
    yield {
      weekday: WEEKDAYS[now.getUTCDay()],
      year: now.getUTCFullYear(),
      month: now.getUTCMonth() + 1,
      day: now.getUTCDate(),
      hour: now.getUTCHours(),
      minutes: now.getUTCMinutes(),
      seconds: now.getUTCSeconds(),
      timezone: 'UTC',
      local_timezone: localZoneAbbreviation(now),
      unix_time: unixTime,
      timestamp: asciiTime(now),
      datetime: iso,
      iso_8601: iso,
      local_time: unixTime,
    };
  },
};
