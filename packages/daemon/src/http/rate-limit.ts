/** A token bucket per client key (--http_rate_limit requests/second, burst of twice that). Bounded key count. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly perSecond: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** True when the request may proceed. */
  take(key: string, now = Date.now()): boolean {
    if (this.perSecond <= 0) return true;
    const burst = this.perSecond * 2;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: burst, at: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/** Caps queries the endpoint runs at once; a bounded number wait, the rest are refused (503). */
export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(
    private readonly limit: number,
    private readonly maxWaiting: number,
  ) {}

  /** Resolves to a release function, or undefined when the gate is full. */
  async enter(): Promise<(() => void) | undefined> {
    if (this.active < this.limit) {
      this.active++;
      return this.releaser();
    }
    if (this.waiting.length >= this.maxWaiting) return undefined;
    // The releasing holder hands its slot over directly (`active` does not drop), so no enter() in between can
    // take it and push the count over the limit.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }

  inFlight(): number {
    return this.active;
  }
  queued(): number {
    return this.waiting.length;
  }
}
