// Calls per integration point and operation in the current minute (per process, fixed window).
export class RateLimiter {
  private windowStart = 0;
  private counts = new Map<string, number>();

  /** Counts a call; false when the limit for this minute is already reached. */
  allow(key: string, limitPerMinute: number, now: number): boolean {
    const window = Math.floor(now / 60_000);
    if (window !== this.windowStart) {
      this.windowStart = window;
      this.counts.clear();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count <= limitPerMinute;
  }

  /** Seconds until the current window ends. */
  retryAfterSeconds(now: number): number {
    return Math.max(1, Math.ceil(((Math.floor(now / 60_000) + 1) * 60_000 - now) / 1000));
  }
}
