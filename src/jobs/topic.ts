// A job topic: its name, the schema of its payload and its retry policy, declared once by the module that
// queues it. The payload is checked against the schema when a job is queued (a mismatch is a bug in the code
// queueing it, and its transaction rolls back) and again when the worker takes the job (rows written by an
// older version, or by SQL that builds them in bulk).
import type { z } from 'zod';
import type { RetryPolicy } from './retry-policy.ts';

export interface JobTopic<P> {
  /** what the outbox row's `topic` says */
  name: string;
  payload: z.ZodType<P>;
  retry: RetryPolicy;
  /** what the parked-work list says the job was for: never a phone or a code */
  describe(payload: P): string;
}

export function jobTopic<P>(topic: JobTopic<P>): JobTopic<P> {
  return Object.freeze(topic);
}

/** A payload that does not match its topic's schema: a bug in the code that queued it, not a refusal of anyone's input. */
export class JobPayloadError extends Error {
  constructor(topic: string, issues: z.core.$ZodIssue[]) {
    super(`the payload of a "${topic}" job does not match its schema: ${issues.map((issue) => `/${issue.path.map(String).join('/')}: ${issue.message}`).join('; ')}`);
    this.name = 'JobPayloadError';
  }
}

/** The payload as the topic's schema reads it; throws JobPayloadError when it does not match. */
export function checkedPayload<P>(topic: JobTopic<P>, payload: unknown): P {
  const parsed = topic.payload.safeParse(payload);
  if (!parsed.success) throw new JobPayloadError(topic.name, parsed.error.issues);
  return parsed.data;
}
