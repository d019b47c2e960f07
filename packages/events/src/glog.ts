/**
 * osquery's status lines, in glog's shape: `Lmmdd hh:mm:ss.uuuuuu PID source] message`, L being I, W or E.
 * quarryi prints warnings this way and quarryd its whole status log. A standalone module (no imports), so the
 * shell's one-shot path can load it alone: `@quarry/events/glog`.
 */
export type GlogSeverity = 'I' | 'W' | 'E';

function two(value: number): string {
  return String(value).padStart(2, '0');
}

/** Microseconds within the second of `now`: Date has milliseconds only, the performance clock has more. */
function microsecondsOf(now: Date): number {
  const preciseMs = performance.timeOrigin + performance.now();
  return Math.abs(preciseMs - now.getTime()) < 1000 ? Math.floor((preciseMs % 1000) * 1000) : now.getMilliseconds() * 1000;
}

export function glogLine(severity: GlogSeverity, source: string, message: string, now: Date = new Date(), pid: number = process.pid): string {
  const time = `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
  const micros = String(microsecondsOf(now)).padStart(6, '0');
  return `${severity}${two(now.getMonth() + 1)}${two(now.getDate())} ${time}.${micros} ${pid} ${source}] ${message}\n`;
}
