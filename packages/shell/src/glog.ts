/**
 * osquery prints status logs in the shell with glog's prefix: `Lmmdd hh:mm:ss.uuuuuu TID file:line] message`.
 * Quarry keeps the shape with the process id and the program name: `W1127 22:15:08.123456 4242 quarryi] message`.
 */
export type Severity = 'I' | 'W' | 'E';

function two(value: number): string {
  return String(value).padStart(2, '0');
}

/** Microseconds within the current second: Date has milliseconds only, performance.timeOrigin + now() has more. */
function microsecondsOf(now: Date): number {
  const preciseMs = performance.timeOrigin + performance.now();
  return Math.abs(preciseMs - now.getTime()) < 1000 ? Math.floor((preciseMs % 1000) * 1000) : now.getMilliseconds() * 1000;
}

export function glogLine(severity: Severity, message: string, now: Date = new Date(), pid: number = process.pid): string {
  const micros = String(microsecondsOf(now)).padStart(6, '0');
  const stamp = `${two(now.getMonth() + 1)}${two(now.getDate())} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}.${micros}`;
  return `${severity}${stamp} ${pid} quarryi] ${message}\n`;
}
