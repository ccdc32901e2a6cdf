import type { AppContext } from '../app-context.ts';

/** Attempts of a job (backing off exponentially between them) before it is parked. */
export const MAX_JOB_ATTEMPTS = 10;

/**
 * Runs one outbox job. It runs outside any transaction (it may call an SMS gateway or a webhook) and at
 * least once, so it must be idempotent; writes that belong together use their own transaction.
 * Throwing retries the job with backoff; a job that keeps failing is parked.
 */
export type JobHandler = (app: AppContext, payload: Record<string, unknown>, job: ClaimedJobContext) => Promise<void>;

export interface ClaimedJobContext {
  id: number;
  attempts: number;
  /** aborts when the worker stops: a handler waiting for the database to come back stops waiting */
  stopping: AbortSignal;
}

/** Work that runs every `everyMs` in each worker process (expiry, retention, recalculation). */
export interface PeriodicTask {
  name: string;
  everyMs: number;
  run: (app: AppContext) => Promise<void>;
}

/**
 * Thrown by a handler when another attempt cannot help (a webhook answered 404, its own attempt limit is
 * reached): the job is parked at once, visible and retryable by an operator, instead of backing off.
 */
export class ParkJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParkJobError';
  }
}
