// The messages-per-second limit of one SMS connection in this process: a token bucket that refills at the
// connection's rate. Codes and other transactional messages take a token and go at once, even into debt, so a
// campaign never delays them; marketing messages wait until a token is there beyond a small reserve (a tenth of a
// second's worth), which is what codes find when they come. Over any stretch of time the connection carries its
// rate, give or take that reserve (decision 0020). The bucket holds a little more than the reserve and one token
// (a fiftieth of a second's worth), so that a timer that fires late costs no sending time.

/** The rate of a connection whose definition names none: what a typical SMS centre allows one bind. */
export const DEFAULT_RATE_PER_SECOND = 10;

export class SendRate {
  #ratePerSecond: number;
  #reserve: number;
  #tokens: number;
  #refilledAt: number;
  /** marketing senders waiting for a token, first come first served */
  readonly #waiting: (() => void)[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(
    ratePerSecond: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.#ratePerSecond = ratePerSecond;
    this.#reserve = reserveFor(ratePerSecond);
    // the reserve and one token at the start: the reserve is there for codes, and one token for the first marketing message
    this.#tokens = this.#reserve + 1;
    this.#refilledAt = clock();
  }

  get ratePerSecond(): number {
    return this.#ratePerSecond;
  }

  /** A new rate from the connection's definition: the reserve grows or shrinks with it, the rest stays. */
  setRate(ratePerSecond: number): void {
    if (ratePerSecond === this.#ratePerSecond) return;
    this.#refill();
    const reserve = reserveFor(ratePerSecond);
    this.#tokens += reserve - this.#reserve;
    this.#ratePerSecond = ratePerSecond;
    this.#reserve = reserve;
    this.#tokens = Math.min(this.#tokens, this.#capacity());
  }

  /** A transactional message goes now; it still counts, so marketing messages after it wait longer. */
  takeTransactional(): void {
    this.#refill();
    this.#tokens -= 1;
  }

  /** Resolves when a marketing message may go: a token beyond the reserve was there, and is taken. */
  takeMarketing(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        const index = this.#waiting.indexOf(grant);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal!.reason);
      };
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(grant);
      this.#serve();
    });
  }

  /** Gives back a marketing token that found nothing to send. */
  giveBack(): void {
    this.#refill();
    this.#tokens = Math.min(this.#capacity(), this.#tokens + 1);
    this.#serve();
  }

  #refill(): void {
    const now = this.clock();
    this.#tokens = Math.min(this.#capacity(), this.#tokens + ((now - this.#refilledAt) / 1000) * this.#ratePerSecond);
    this.#refilledAt = now;
  }

  #serve(): void {
    if (this.#timer) return;
    this.#refill();
    while (this.#waiting.length > 0 && this.#tokens >= this.#reserve + 1) {
      this.#tokens -= 1;
      this.#waiting.shift()!();
    }
    if (this.#waiting.length === 0) return;
    const waitMs = ((this.#reserve + 1 - this.#tokens) / this.#ratePerSecond) * 1000;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#serve();
    }, Math.max(1, waitMs));
  }

  #capacity(): number {
    return this.#reserve + 1 + Math.max(1, this.#ratePerSecond / 50);
  }
}

/** Codes find a tenth of a second's worth of tokens at once (one at least). */
function reserveFor(ratePerSecond: number): number {
  return Math.max(1, Math.round(ratePerSecond / 10));
}
