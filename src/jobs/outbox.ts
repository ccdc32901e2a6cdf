// The outbox: a business write and the jobs it causes (events, SMS to send, recalculations) commit in the
// same transaction; workers run them later, at least once, with retries and a visible parking lot.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ScenarioEvent } from '../project/schemas.ts';

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

export async function enqueueJob(db: Db, topic: string, payload: Record<string, unknown>, options: { delayMs?: number } = {}): Promise<void> {
  await db
    .insertInto('outbox')
    .values({
      topic,
      payload: JSON.stringify(payload),
      available_at: sql`now() + ${`${options.delayMs ?? 0} milliseconds`}::interval`,
    })
    .execute();
}

/** Records a domain event in the caller's transaction. */
export async function emitEvent(db: Db, event: DomainEvent): Promise<void> {
  await enqueueJob(db, EVENT_TOPIC, event as unknown as Record<string, unknown>);
}

/**
 * The outbox row of a domain event, due at once, for a module that writes it inside one of its own statements
 * (in the same transaction as the write it announces, as emitEvent would, one round trip less).
 */
export function eventRow(event: DomainEvent): { topic: string; payload: string } {
  return { topic: EVENT_TOPIC, payload: JSON.stringify(event) };
}

export interface ClaimedJob {
  id: number;
  topic: string;
  payload: Record<string, unknown>;
  attempts: number;
}

/** Claims due jobs for `leaseMs`; a worker that dies leaves them to be claimed again after the lease. */
export async function claimJobs(db: Db, limit: number, leaseMs: number): Promise<ClaimedJob[]> {
  const { rows } = await sql<ClaimedJob>`
    update outbox set attempts = attempts + 1, available_at = now() + ${`${leaseMs} milliseconds`}::interval
    where id in (
      select id from outbox where status = 'pending' and available_at <= now()
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

export async function listParkedJobs(db: Db, limit = 100) {
  return db.selectFrom('outbox').selectAll().where('status', '=', 'parked').orderBy('id', 'desc').limit(limit).execute();
}

/** Puts a parked job back in the queue (an operator fixed the cause). */
export async function retryParkedJob(db: Db, id: number): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'pending', attempts: 0, available_at: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'parked')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteDoneJobsBefore(db: Db, cutoff: Date): Promise<number> {
  const result = await db.deleteFrom('outbox').where('status', '=', 'done').where('processed_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
