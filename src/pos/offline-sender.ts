// Delivers the offline queue to the server: oldest first, each item with its own transactionId, backing off while
// the server cannot take it.

import type { CallOutcome, MindboxClient } from './client.ts';
import type { OfflineQueue, QueuedItem, ServerAnswer } from './offline-queue.ts';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export type SendFailure =
  | { kind: 'retry'; reason: string; attempt: number; delayMs: number; retryAt: Date }
  | { kind: 'rejected'; reason: string; answer: ServerAnswer | null };

export interface OfflineSenderOptions {
  /** wait after a failed attempt: doubles from initialMs up to maxMs (default 1 s … 60 s) */
  backoff?: BackoffOptions;
  now?: () => Date;
  onDelivered?: (item: QueuedItem, answer: ServerAnswer) => void;
  onFailed?: (item: QueuedItem, failure: SendFailure) => void;
}

export interface FlushResult {
  delivered: number;
  rejected: number;
  remaining: number;
}

type Attempt = 'empty' | 'delivered' | 'rejected' | 'retry';

type Verdict = { kind: 'delivered' } | { kind: 'rejected'; reason: string } | { kind: 'retry'; reason: string };

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000 };

// A ProtocolError with these codes is about the credentials or the load, not about the order.
const RETRY_PROTOCOL_STATUSES = new Set([401, 403, 408, 429]);

/**
 * Delivers queued items one at a time, oldest first, each with its own transactionId. Success or
 * TransactionAlreadyProcessed acknowledges the item; a refusal for good moves it to the rejected journal;
 * anything else keeps it at the head and retries after an exponential backoff.
 */
export class OfflineSender {
  private readonly backoff: BackoffOptions;
  private readonly now: () => Date;
  private failures = 0;
  private running = false;
  private loop: Promise<void> | null = null;
  private sending: Promise<unknown> = Promise.resolve();
  private sleeper: { wake: () => void; untilAppend: boolean } | null = null;

  constructor(
    private readonly queue: OfflineQueue,
    private readonly client: Pick<MindboxClient, 'call'>,
    private readonly options: OfflineSenderOptions = {},
  ) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    if (!(this.backoff.initialMs > 0) || !(this.backoff.maxMs >= this.backoff.initialMs)) {
      throw new RangeError('backoff needs 0 < initialMs <= maxMs');
    }
    this.now = options.now ?? (() => new Date());
  }

  /** Starts delivering in the background until stop(). */
  start(): void {
    if (this.loop) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the attempt in flight (at most the client timeout). */
  async stop(): Promise<void> {
    this.running = false;
    this.sleeper?.wake();
    await this.loop;
    this.loop = null;
  }

  /** Delivers now until the queue is empty or the server cannot take the head item. */
  async flush(): Promise<FlushResult> {
    let delivered = 0;
    let rejected = 0;
    for (;;) {
      const attempt = await this.attemptHead();
      if (attempt === 'delivered') delivered += 1;
      else if (attempt === 'rejected') rejected += 1;
      else break;
    }
    if (delivered + rejected > 0) this.sleeper?.wake();
    return { delivered, rejected, remaining: this.queue.pending().length };
  }

  private async run(): Promise<void> {
    const unsubscribe = this.queue.onAppend(() => {
      if (this.sleeper?.untilAppend) this.sleeper.wake();
    });
    try {
      while (this.running) {
        const attempt = await this.attemptHead();
        if (!this.running) break;
        if (attempt === 'empty') await this.sleep(null);
        else if (attempt === 'retry') await this.sleep(this.delayMs());
      }
    } finally {
      unsubscribe();
    }
  }

  private attemptHead(): Promise<Attempt> {
    const run = this.sending.then(() => this.sendHead());
    this.sending = run.catch(() => undefined);
    return run;
  }

  private async sendHead(): Promise<Attempt> {
    const item = this.queue.pending()[0];
    if (!item) return 'empty';
    let outcome: CallOutcome;
    try {
      outcome = await this.client.call(item.operation, item.body, { transactionId: item.transactionId, mode: 'sync' });
    } catch (error) {
      outcome = { kind: 'unreachable', reason: `the call failed: ${(error as Error).message}` };
    }
    let verdict = judge(outcome);
    const answer = outcome.kind === 'answer' ? { httpStatus: outcome.httpStatus, body: outcome.body } : null;
    try {
      if (verdict.kind === 'delivered') {
        await this.queue.acknowledge(item.id);
        this.failures = 0;
        this.notify(() => this.options.onDelivered?.(item, answer as ServerAnswer));
        return 'delivered';
      }
      if (verdict.kind === 'rejected') {
        await this.queue.reject(item.id, { reason: verdict.reason, answer, at: this.now() });
        this.failures = 0;
        const reason = verdict.reason;
        this.notify(() => this.options.onFailed?.(item, { kind: 'rejected', reason, answer }));
        return 'rejected';
      }
    } catch (error) {
      verdict = { kind: 'retry', reason: `the answer could not be recorded: ${(error as Error).message}` };
    }
    this.failures += 1;
    const delayMs = this.delayMs();
    const failure: SendFailure = {
      kind: 'retry',
      reason: verdict.reason,
      attempt: this.failures,
      delayMs,
      retryAt: new Date(this.now().getTime() + delayMs),
    };
    this.notify(() => this.options.onFailed?.(item, failure));
    return 'retry';
  }

  private delayMs(): number {
    const exponent = Math.max(0, this.failures - 1);
    return Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.min(exponent, 30));
  }

  /** Waits for ms, or (ms = null) until something is appended; stop() always wakes it. */
  private sleep(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === null ? null : setTimeout(() => wake(), ms);
      const wake = () => {
        if (timer) clearTimeout(timer);
        this.sleeper = null;
        resolve();
      };
      this.sleeper = { wake, untilAppend: ms === null };
      // An append between the empty head check and this point would otherwise go unnoticed.
      if (!this.running || (ms === null && this.queue.pending().length > 0)) wake();
    });
  }

  private notify(callback: () => void): void {
    try {
      callback();
    } catch {
      // An observer that throws must not stop delivery.
    }
  }
}

function judge(outcome: CallOutcome): Verdict {
  if (outcome.kind === 'unreachable') return { kind: 'retry', reason: outcome.reason };
  const status: unknown = outcome.body?.status;
  if (status === 'Success' || status === 'TransactionAlreadyProcessed') return { kind: 'delivered' };
  if (status === 'ValidationError') {
    const messages: unknown = outcome.body.validationMessages;
    const text = Array.isArray(messages)
      ? messages.map((m: { message?: unknown; location?: unknown }) => (m.location ? `${String(m.location)}: ${String(m.message)}` : String(m.message))).join('; ')
      : '';
    return { kind: 'rejected', reason: `ValidationError${text ? `: ${text}` : ''}` };
  }
  const message = typeof outcome.body?.errorMessage === 'string' ? `: ${outcome.body.errorMessage}` : '';
  if (status === 'ProtocolError' && !RETRY_PROTOCOL_STATUSES.has(outcome.httpStatus)) {
    return { kind: 'rejected', reason: `ProtocolError (HTTP ${outcome.httpStatus})${message}` };
  }
  return { kind: 'retry', reason: `server answered ${String(status)} (HTTP ${outcome.httpStatus})${message}` };
}
