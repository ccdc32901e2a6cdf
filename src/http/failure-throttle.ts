// Counts failures per client address and shuts an address out for a while after too many in a window. In
// memory, per process, bounded: it keeps a few numbers per address and forgets the oldest address first. The
// protocol counts failed authentications with it (decision 0014); it knows nothing of what failed, so any
// per-address refusal (a sign-in, say) can use it too.

export interface FailureThrottleLimits {
  /** failures within `windowMs` that shut the address out */
  maxFailures: number;
  windowMs: number;
  /** how long the address is shut out */
  blockMs: number;
  /** addresses remembered at most; beyond, the one remembered longest is forgotten */
  maxAddresses: number;
}

interface Tally {
  windowStart: number;
  failures: number;
  blockedUntil: number;
}

export class FailureThrottle {
  readonly #tallies = new Map<string, Tally>();

  constructor(readonly limits: FailureThrottleLimits) {}

  /** Whole seconds the address must wait before it is heard again; 0 when it may try now. */
  retryAfterSeconds(address: string, now: number): number {
    const tally = this.#tallies.get(address);
    if (!tally || tally.blockedUntil <= now) return 0;
    return Math.max(1, Math.ceil((tally.blockedUntil - now) / 1000));
  }

  /** Counts a failure of the address; true when this one shut it out. */
  recordFailure(address: string, now: number): boolean {
    let tally = this.#tallies.get(address);
    if (!tally) {
      if (this.#tallies.size >= this.limits.maxAddresses) this.#tallies.delete(this.#tallies.keys().next().value!);
      tally = { windowStart: now, failures: 0, blockedUntil: 0 };
      this.#tallies.set(address, tally);
    } else if (now - tally.windowStart >= this.limits.windowMs) {
      tally.windowStart = now;
      tally.failures = 0;
    }
    tally.failures += 1;
    if (tally.failures < this.limits.maxFailures || tally.blockedUntil > now) return false;
    tally.blockedUntil = now + this.limits.blockMs;
    return true;
  }
}
