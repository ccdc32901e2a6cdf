// The outbox: a business write and the jobs it causes (events, SMS to send, webhooks) commit in the same
// transaction; workers run them later, at least once, with retries and a visible parking lot. Every job
// belongs to a topic of the catalogue, whose schema its payload must match when it is queued.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { SCENARIO_EVENTS, type ScenarioEvent } from '../project/schemas.ts';
import { exactParkedAt, parkedAfter, type ParkedBound } from './parked.ts';
import { checkedPayload, jobTopic, type JobTopic } from './topic.ts';

export interface DomainEvent {
  type: ScenarioEvent;
  customerId: number;
  /** the operation system name the event came from, for "came from operation X" conditions */
  operation?: string | null;
  integrationPoint?: string | null;
  /** ISO time the event happened */
  at: string;
  data?: Record<string, unknown>;
}

export const EVENT_TOPIC = 'event';

const domainEvent: z.ZodType<DomainEvent> = z.object({
  type: z.enum(SCENARIO_EVENTS),
  customerId: z.number().int().positive(),
  operation: z.string().nullish(),
  integrationPoint: z.string().nullish(),
  at: z.string().min(1),
  data: z.record(z.string(), z.unknown()).optional(),
});

/** A domain event: brings the guest's segments up to date, then runs the scenarios it triggers (src/scenarios/jobs.ts). */
export const eventTopic = jobTopic<DomainEvent>({
  name: EVENT_TOPIC,
  payload: domainEvent,
  retry: { maxAttempts: 10, firstRetryMs: 1000, maxRetryMs: 10 * 60_000 },
  describe: (event) => `${event.type} of guest #${event.customerId}${event.operation ? ` (from ${event.operation})` : ''}`,
});

/** Queues a job of `topic` in the caller's transaction; a payload its schema refuses throws JobPayloadError. */
export async function enqueueJob<P>(db: Db, topic: JobTopic<P>, payload: P, options: { delayMs?: number } = {}): Promise<void> {
  const checked = checkedPayload(topic, payload);
  await db
    .insertInto('outbox')
    .values({
      topic: topic.name,
      payload: JSON.stringify(checked),
      available_at: sql`now() + ${`${options.delayMs ?? 0} milliseconds`}::interval`,
    })
    .execute();
}

/** Records a domain event in the caller's transaction. */
export async function emitEvent(db: Db, event: DomainEvent): Promise<void> {
  await enqueueJob(db, eventTopic, event);
}

/**
 * The outbox row of a domain event, due at once, for a module that writes it inside one of its own statements
 * (in the same transaction as the write it announces, as emitEvent would, one round trip less).
 */
export function eventRow(event: DomainEvent): { topic: string; payload: string } {
  return { topic: EVENT_TOPIC, payload: JSON.stringify(checkedPayload(eventTopic, event)) };
}

export interface ClaimedJob {
  id: number;
  topic: string;
  payload: Record<string, unknown>;
  attempts: number;
}

/**
 * Claims due jobs of the given topics for `leaseMs`; a worker that dies leaves them to be claimed again after
 * the lease. Jobs of other topics wait for a worker that handles them.
 */
export async function claimJobs(db: Db, topics: readonly string[], limit: number, leaseMs: number): Promise<ClaimedJob[]> {
  if (topics.length === 0) return [];
  const { rows } = await sql<ClaimedJob>`
    update outbox set attempts = attempts + 1, available_at = now() + ${`${leaseMs} milliseconds`}::interval
    where id in (
      select id from outbox where status = 'pending' and available_at <= now() and topic in (${sql.join(topics)})
      order by id limit ${limit} for update skip locked
    )
    returning id, topic, payload, attempts`.execute(db);
  return rows.sort((a, b) => a.id - b.id);
}

/** Marks jobs done, several in one statement (a worker marks what one batch completed). */
export async function completeJobs(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('outbox').set({ status: 'done', processed_at: sql`now()`, last_error: null }).where('id', 'in', ids).execute();
}

/**
 * Puts claimed jobs back as they were before the claim, due at once: the database went away while they were
 * held, which says nothing about the jobs, so it costs them no attempt.
 */
export async function releaseJobs(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ attempts: sql`greatest(attempts - 1, 0)`, available_at: sql`now()` })
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .execute();
}

export async function failJob(db: Db, id: number, error: string, retryInMs: number | null): Promise<void> {
  await db
    .updateTable('outbox')
    .set(
      retryInMs === null
        ? { status: 'parked', last_error: error, processed_at: sql`now()` }
        : { last_error: error, available_at: sql`now() + ${`${retryInMs} milliseconds`}::interval` },
    )
    .where('id', '=', id)
    .execute();
}

/** How many pending jobs wait under each topic outside `topics` (those no handler of this process knows). */
export async function pendingJobsOutside(db: Db, topics: readonly string[]): Promise<{ topic: string; jobs: number }[]> {
  const { rows } = await sql<{ topic: string; jobs: number }>`
    select topic, count(*)::int as jobs from outbox
    where status = 'pending' ${topics.length > 0 ? sql`and topic not in (${sql.join(topics)})` : sql``}
    group by topic order by topic`.execute(db);
  return rows;
}

export interface ParkedJobRow {
  id: number;
  topic: string;
  payload: unknown;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  processed_at: Date;
  /** processed_at to the microsecond, for the list's cursor */
  parked_at: string;
}

/** Parked jobs after `bound`, parked newest first. */
export async function parkedJobs(db: Db, bound: ParkedBound<number> | undefined, limit: number): Promise<ParkedJobRow[]> {
  const { rows } = await sql<ParkedJobRow>`
    select id, topic, payload, attempts, last_error, created_at, processed_at, ${exactParkedAt} as parked_at
    from outbox
    where status = 'parked' and ${parkedAfter(bound, 'id', (id) => sql`${id}::bigint`)}
    order by processed_at desc, id desc
    limit ${limit}`.execute(db);
  return rows;
}

export async function countParkedJobs(db: Db): Promise<number> {
  const row = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('parked')).where('status', '=', 'parked').executeTakeFirstOrThrow();
  return Number(row.parked);
}

/** Puts parked jobs back in the queue, due at once with their attempts anew (an operator fixed the cause); how many were parked. */
export async function retryParkedJobs(db: Db, which: { id: number } | 'all'): Promise<number> {
  let update = db
    .updateTable('outbox')
    .set({ status: 'pending', attempts: 0, available_at: sql`now()`, processed_at: null })
    .where('status', '=', 'parked');
  if (which !== 'all') update = update.where('id', '=', which.id);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface QueueState {
  topic: string;
  state: 'pending' | 'parked';
  jobs: number;
  /** pending only: seconds the longest-waiting due job has waited since it became due; 0 when none is due */
  oldestDueSeconds: number;
}

/** The queue as the metrics show it: jobs waiting or parked per topic (each read by its own partial index). */
export async function outboxQueue(db: Db): Promise<QueueState[]> {
  const { rows } = await sql<QueueState>`
    select topic, 'pending' as state, count(*)::int as jobs,
           coalesce(extract(epoch from now() - min(available_at) filter (where available_at <= now())), 0)::float8 as "oldestDueSeconds"
      from outbox where status = 'pending' group by topic
    union all
    select topic, 'parked', count(*)::int, 0 from outbox where status = 'parked' group by topic`.execute(db);
  return rows;
}
