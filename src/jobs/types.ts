import type { AppContext } from '../app-context.ts';

/**
 * Runs one outbox job. It runs outside any transaction (it may call an SMS gateway or a webhook) and at
 * least once, so it must be idempotent; writes that belong together use their own transaction.
 * Throwing retries the job with backoff; a job that keeps failing is parked.
 */
export type JobHandler = (app: AppContext, payload: Record<string, unknown>, job: { id: number; attempts: number }) => Promise<void>;

/** Work that runs every `everyMs` in each worker process (expiry, retention, recalculation). */
export interface PeriodicTask {
  name: string;
  everyMs: number;
  run: (app: AppContext) => Promise<void>;
}
