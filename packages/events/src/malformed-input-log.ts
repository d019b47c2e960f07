/**
 * What a publisher does with input it cannot parse (a syslog line, a uevent datagram): count it, remember why the
 * last one was dropped, and warn about it at most once per interval, saying how many were dropped since the last
 * warning. The publisher stays up; the counts go to osquery_events' status.
 */
export class MalformedInputLog {
  /** Inputs dropped as malformed. */
  count = 0;
  /** Why the last one was dropped ('' while none was). */
  lastReason = '';
  private sinceWarning = 0;
  private lastWarnAt = -Infinity;

  constructor(
    private readonly warnIntervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records one dropped input. Returns how many were dropped since the last warning when a warning is due now (the
   * caller logs it), else undefined.
   */
  record(reason: string): number | undefined {
    this.count++;
    this.lastReason = reason;
    this.sinceWarning++;
    const now = this.now();
    if (now - this.lastWarnAt < this.warnIntervalMs) return undefined;
    this.lastWarnAt = now;
    const dropped = this.sinceWarning;
    this.sinceWarning = 0;
    return dropped;
  }
}
