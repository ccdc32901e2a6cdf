// The one view of parked work: the outbox's jobs and the protocol's async calls that used up their attempts
// (or that another attempt could not help), newest parked first, each with what it was for, why it failed
// (phones and codes masked), how often it was tried and when, and the way back into its queue. Both queues
// follow one retry policy (./retry-policy.ts) and stay two tables: an async call commits its writes with its
// "done" mark, an outbox job runs outside any transaction (decision 0013).
import type { Db } from '../db/database.ts';
import { countParkedAsyncCalls, parkedAsyncCalls, retryParkedAsyncCalls } from './call-queue.ts';
import type { JobCatalogue } from './catalogue.ts';
import { countParkedJobs, parkedJobs, retryParkedJobs } from './outbox.ts';
import type { ParkedBound } from './parked.ts';
import { shownError } from './shown-error.ts';

/** An outbox job (`job-<id>`) or an async protocol call (`call-<uuid>`). */
export type ParkedWorkId = { queue: 'job'; id: number } | { queue: 'call'; id: string };

export interface ParkedWork {
  id: ParkedWorkId;
  /** the job's topic, or the async call's operation */
  topic: string;
  /** what the work was for, never a phone or a code */
  what: string;
  /** the last attempt's error, phones and codes masked */
  lastError: string | null;
  attempts: number;
  queuedAt: Date;
  parkedAt: Date;
}

/** Where a page stopped: its last item's parking time, to the microsecond, and id. */
export interface ParkedWorkCursor {
  parkedAt: string;
  id: ParkedWorkId;
}

const ID_TEXT = /^(?:job-(\d{1,15})|call-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))$/;

export const parkedWorkIdText = (id: ParkedWorkId): string => `${id.queue}-${id.id}`;

/** `job-123` or `call-<uuid>` read back; null when the text is neither. */
export function parkedWorkIdOf(text: string): ParkedWorkId | null {
  const [, job, call] = ID_TEXT.exec(text) ?? [];
  if (job) return Number(job) > 0 ? { queue: 'job', id: Number(job) } : null;
  return call ? { queue: 'call', id: call } : null;
}

/** At one parking time jobs come before calls, each by id, newest first. */
const QUEUE_RANK = { job: 1, call: 0 } as const;

function newerFirst(a: { parkedAt: string; id: ParkedWorkId }, b: { parkedAt: string; id: ParkedWorkId }): number {
  if (a.parkedAt !== b.parkedAt) return a.parkedAt < b.parkedAt ? 1 : -1;
  if (a.id.queue !== b.id.queue) return QUEUE_RANK[b.id.queue] - QUEUE_RANK[a.id.queue];
  return a.id.id < b.id.id ? 1 : a.id.id > b.id.id ? -1 : 0;
}

/** A page of parked work, newest parked first; `next` is null on the last page. */
export async function pageOfParkedWork(
  db: Db,
  page: { before?: ParkedWorkCursor; limit: number },
  catalogue: JobCatalogue,
): Promise<{ items: ParkedWork[]; next: ParkedWorkCursor | null }> {
  const cursor = page.before;
  // at the cursor's parking time the jobs come first: after a job, the calls of that moment are all still to come
  const jobsAfter: ParkedBound<number> | undefined =
    cursor && (cursor.id.queue === 'job' ? { parkedAt: cursor.parkedAt, sameTime: 'below', id: cursor.id.id } : { parkedAt: cursor.parkedAt, sameTime: 'none' });
  const callsAfter: ParkedBound<string> | undefined =
    cursor && (cursor.id.queue === 'call' ? { parkedAt: cursor.parkedAt, sameTime: 'below', id: cursor.id.id } : { parkedAt: cursor.parkedAt, sameTime: 'all' });
  const jobs = await parkedJobs(db, jobsAfter, page.limit);
  const calls = await parkedAsyncCalls(db, callsAfter, page.limit);
  const merged = [
    ...jobs.map((job) => ({
      parkedAt: job.parked_at,
      id: { queue: 'job', id: job.id } as ParkedWorkId,
      topic: job.topic,
      what: catalogue.entry(job.topic)?.describe(job.payload) ?? `a ${job.topic} job, a topic no handler of this version knows`,
      lastError: job.last_error,
      attempts: job.attempts,
      queuedAt: job.created_at,
      parkedAtDate: job.processed_at,
    })),
    ...calls.map((call) => ({
      parkedAt: call.parked_at,
      id: { queue: 'call', id: call.id } as ParkedWorkId,
      topic: call.operation,
      what: `${call.operation} from ${call.integration_point}${call.transaction_id ? ` (transaction ${call.transaction_id})` : ''}`,
      lastError: call.last_error,
      attempts: call.attempts,
      queuedAt: call.received_at,
      parkedAtDate: call.processed_at,
    })),
  ]
    .sort(newerFirst)
    .slice(0, page.limit);
  const last = merged.at(-1);
  return {
    items: merged.map((item) => ({
      id: item.id,
      topic: item.topic,
      what: item.what,
      lastError: shownError(item.lastError),
      attempts: item.attempts,
      queuedAt: item.queuedAt,
      parkedAt: item.parkedAtDate,
    })),
    next: last && merged.length === page.limit ? { parkedAt: last.parkedAt, id: last.id } : null,
  };
}

export async function countParkedWork(db: Db): Promise<number> {
  return (await countParkedJobs(db)) + (await countParkedAsyncCalls(db));
}

/** Puts one piece of parked work back in its queue, due at once with its attempts anew; false when it is not parked. */
export async function retryParkedWork(db: Db, id: ParkedWorkId): Promise<boolean> {
  const retried = id.queue === 'job' ? await retryParkedJobs(db, { id: id.id }) : await retryParkedAsyncCalls(db, { id: id.id });
  return retried > 0;
}

/** Puts every piece of parked work back in its queue; how many. */
export async function retryAllParkedWork(db: Db): Promise<number> {
  return (await retryParkedJobs(db, 'all')) + (await retryParkedAsyncCalls(db, 'all'));
}
