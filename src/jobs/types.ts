import type { AppContext } from '../app-context.ts';
import type { Failure } from './retry-policy.ts';
import { JobPayloadError } from './topic.ts';

/**
 * Runs one outbox job of its topic, with the payload as the topic's schema reads it. It runs outside any
 * transaction (it may call an SMS gateway or a webhook) and at least once, so it must be idempotent; writes
 * that belong together use their own transaction. Throwing retries the job as the topic's policy says; a job
 * that keeps failing is parked.
 */
export type JobHandler<P> = (app: AppContext, payload: P, job: ClaimedJobContext) => Promise<void>;

export interface ClaimedJobContext {
  id: number;
  /** this attempt's number, from 1 */
  attempts: number;
  /** failing this attempt parks the job */
  lastAttempt: boolean;
  /** aborts when the worker stops: a handler waiting for the database to come back stops waiting */
  stopping: AbortSignal;
}

/**
 * Work that runs on its own beside the worker loop in each worker process, for as long as it runs: what waits in
 * between (a send rate, the hours) must not hold the outbox jobs (the marketing sender, decision 0020).
 */
export interface WorkerLoop {
  name: string;
  start(app: AppContext): { stop(): Promise<void> };
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

/** Thrown by a handler whose other side asked not to be tried again for a while (an SMS gateway's Retry-After). */
export class RetryJobLaterError extends Error {
  constructor(
    message: string,
    readonly notBeforeMs: number,
  ) {
    super(message);
    this.name = 'RetryJobLaterError';
  }
}

/** What a handler's error asks of the retry policy. */
export function failureOf(error: unknown): Failure {
  // a payload the topic cannot read stays unreadable however often it is tried
  if (error instanceof ParkJobError || error instanceof JobPayloadError) return { parkNow: true };
  if (error instanceof RetryJobLaterError) return { notBeforeMs: error.notBeforeMs };
  return {};
}
