/**
 * Counts audit serial numbers that never arrived (multicast mode: the kernel drops records for a slow multicast
 * reader without telling it). Records from different CPUs arrive slightly out of order, so a missing serial is
 * only counted as lost once it stayed missing for `graceMs`. Serials that no record carries at all (the kernel
 * skips none for emitted events, but filtered events may never be logged) make this an upper bound.
 */
export class SerialGapTracker {
  private highest = -1;
  /** missing serial → when it was first noticed missing. */
  private readonly missing = new Map<number, number>();
  /** Serials confirmed lost. */
  lost = 0;
  /** Serials seen again after being noticed missing. */
  late = 0;

  constructor(private readonly graceMs = 5000, private readonly maxTracked = 65536) {}

  /** Notes one event serial as seen at nowMs. */
  see(serial: number, nowMs: number): void {
    if (this.highest < 0) {
      this.highest = serial;
      return;
    }
    if (serial > this.highest) {
      // A jump larger than the tracking window counts the overflow as lost at once.
      const gap = serial - this.highest - 1;
      const tracked = Math.min(gap, this.maxTracked);
      this.lost += gap - tracked;
      for (let s = serial - tracked; s < serial; s++) this.missing.set(s, nowMs);
      this.highest = serial;
      this.trim();
    } else if (this.missing.delete(serial)) {
      this.late++;
    }
  }

  /** Counts serials missing for longer than the grace time as lost; returns the total lost so far. */
  settle(nowMs: number): number {
    for (const [serial, since] of this.missing) {
      if (nowMs - since < this.graceMs) break;
      this.missing.delete(serial);
      this.lost++;
    }
    return this.lost;
  }

  private trim(): void {
    while (this.missing.size > this.maxTracked) {
      const first = this.missing.keys().next().value as number;
      this.missing.delete(first);
      this.lost++;
    }
  }
}
