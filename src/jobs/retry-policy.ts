// The one rule for queued work that failed: try again after a wait that doubles with each failure, up to a
// limit, and park it when its attempts are used up or another attempt cannot help. The outbox's jobs and the
// protocol's async calls both follow it, each with the policy of its topic (decision 0013).

/** How often a kind of work is tried and how long it waits between tries. */
export interface RetryPolicy {
  /** attempts before the work is parked */
  maxAttempts: number;
  /** the wait after the first failed attempt; it doubles after each further one … */
  firstRetryMs: number;
  /** … up to this */
  maxRetryMs: number;
}

/** What a failed attempt asks for besides the policy's wait. */
export interface Failure {
  /** another attempt cannot help (a webhook answered 404): park at once */
  parkNow?: boolean;
  /** the other side asked not to be tried before this (an SMS gateway's Retry-After) */
  notBeforeMs?: number;
}

export type AfterFailure = { park: true } | { park: false; retryInMs: number };

/** The wait after the `attempts`-th failed attempt. */
export function retryDelayMs(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.maxRetryMs, policy.firstRetryMs * 2 ** Math.max(0, attempts - 1));
}

/** What becomes of work whose `attempts`-th attempt failed: park it, or try it again after a wait. */
export function afterFailure(policy: RetryPolicy, attempts: number, failure: Failure = {}): AfterFailure {
  if (failure.parkNow || attempts >= policy.maxAttempts) return { park: true };
  return { park: false, retryInMs: Math.max(failure.notBeforeMs ?? 0, retryDelayMs(policy, attempts)) };
}

/** Whether an attempt is the policy's last: failing it parks the work. */
export const isLastAttempt = (policy: RetryPolicy, attempts: number): boolean => attempts >= policy.maxAttempts;

/** What is wrong with a policy (empty when nothing is). */
export function problemsOf(policy: RetryPolicy): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) problems.push(`maxAttempts must be a whole number of at least 1, not ${policy.maxAttempts}`);
  if (!Number.isFinite(policy.firstRetryMs) || policy.firstRetryMs <= 0) problems.push(`firstRetryMs must be more than 0, not ${policy.firstRetryMs}`);
  if (!Number.isFinite(policy.maxRetryMs) || policy.maxRetryMs < policy.firstRetryMs) problems.push(`maxRetryMs must be at least firstRetryMs, not ${policy.maxRetryMs}`);
  return problems;
}
