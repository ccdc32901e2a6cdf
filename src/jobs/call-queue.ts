// The queue of async protocol calls (/v3/operations/async): accepted, claimed by a worker with the lock held
// until its transaction ends, finished, parked after its attempts, and kept for the idempotency retention.
// Like the outbox (./outbox.ts) it is plumbing the worker and the list of parked work share; what a call does
// is the protocol layer's (src/protocol/mindbox/async-worker.ts).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { exactParkedAt, parkedAfter, type ParkedBound } from './parked.ts';

export async function enqueueAsyncOperation(
  db: Db,
  call: { integrationPoint: string; operation: string; transactionId: string | null; deviceUUID: string | null; body: unknown },
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('async_operations')
    .values({
      id,
      integration_point: call.integrationPoint,
      operation: call.operation,
      transaction_id: call.transactionId,
      device_uuid: call.deviceUUID,
      body: JSON.stringify(call.body),
      status: 'pending',
    })
    .execute();
  return id;
}

/** Claims the oldest due async operation; the row stays locked until the caller's transaction ends. */
export async function claimAsyncOperation(db: Db) {
  return db
    .selectFrom('async_operations')
    .selectAll()
    .where('status', '=', 'pending')
    .where('available_at', '<=', sql<Date>`now()`)
    .orderBy('received_at')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

/**
 * Records how an async call ended. A call that ran (done, or refused for good) loses its request body, which
 * holds the guest's phone and order and has served; its answer is kept, masked. A call to
 * run again, or parked for an operator, keeps its body.
 */
export async function finishAsyncOperation(
  db: Db,
  id: string,
  outcome: {
    status: 'done' | 'failed' | 'parked' | 'pending';
    /** the answer as JSON text, masked by the caller as the operation log keeps it */
    result?: string;
    error?: string;
    retryInMs?: number;
  },
): Promise<void> {
  const ran = outcome.status === 'done' || outcome.status === 'failed';
  await db
    .updateTable('async_operations')
    .set({
      status: outcome.status,
      ...(ran ? { body: null } : {}),
      result: outcome.result ?? null,
      last_error: outcome.error ?? null,
      attempts: sql`attempts + 1`,
      processed_at: outcome.status === 'pending' ? null : sql`now()`,
      available_at: sql`now() + ${`${outcome.retryInMs ?? 0} milliseconds`}::interval`,
    })
    .where('id', '=', id)
    .execute();
}

export interface ParkedAsyncCallRow {
  id: string;
  integration_point: string;
  operation: string;
  transaction_id: string | null;
  attempts: number;
  last_error: string | null;
  received_at: Date;
  processed_at: Date;
  /** processed_at to the microsecond, for the list's cursor */
  parked_at: string;
}

/** Parked async calls after `bound`, parked newest first. */
export async function parkedAsyncCalls(db: Db, bound: ParkedBound<string> | undefined, limit: number): Promise<ParkedAsyncCallRow[]> {
  const { rows } = await sql<ParkedAsyncCallRow>`
    select id, integration_point, operation, transaction_id, attempts, last_error, received_at, processed_at, ${exactParkedAt} as parked_at
    from async_operations
    where status = 'parked' and ${parkedAfter(bound, 'id', (id) => sql`${id}::uuid`)}
    order by processed_at desc, id desc
    limit ${limit}`.execute(db);
  return rows;
}

export async function countParkedAsyncCalls(db: Db): Promise<number> {
  const row = await db.selectFrom('async_operations').select((eb) => eb.fn.countAll<number>().as('parked')).where('status', '=', 'parked').executeTakeFirstOrThrow();
  return Number(row.parked);
}

/** Puts parked async calls back in the queue, due at once with their attempts anew; how many were parked. */
export async function retryParkedAsyncCalls(db: Db, which: { id: string } | 'all'): Promise<number> {
  let update = db
    .updateTable('async_operations')
    .set({ status: 'pending', attempts: 0, available_at: sql`now()`, processed_at: null })
    .where('status', '=', 'parked');
  if (which !== 'all') update = update.where('id', '=', which.id);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes at most `limit` async calls that finished (done or failed) before `cutoff`, oldest first; pending and parked ones stay. */
export async function deleteFinishedAsyncOperationsBefore(db: Db, cutoff: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('async_operations')
    .where(
      'id',
      'in',
      db
        .selectFrom('async_operations')
        .select('id')
        .where('status', 'in', ['done', 'failed'])
        .where('processed_at', '<', cutoff)
        .orderBy('processed_at')
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The async calls waiting or parked, and how long the longest-waiting due one has waited (the metrics). */
export async function asyncCallQueue(db: Db): Promise<{ state: 'pending' | 'parked'; calls: number; oldestDueSeconds: number }[]> {
  const { rows } = await sql<{ state: 'pending' | 'parked'; calls: number; oldestDueSeconds: number }>`
    select 'pending' as state, count(*)::int as calls,
           coalesce(extract(epoch from now() - min(available_at) filter (where available_at <= now())), 0)::float8 as "oldestDueSeconds"
      from async_operations where status = 'pending'
    union all
    select 'parked', count(*)::int, 0 from async_operations where status = 'parked'`.execute(db);
  return rows;
}
