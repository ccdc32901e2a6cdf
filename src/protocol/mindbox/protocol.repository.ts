// SQL of the protocol layer: idempotency records, the async intake queue and the operation log.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { exactParkedAt, parkedAfter, type ParkedBound } from '../../jobs/parked.ts';
import { forLog } from './mask.ts';

/** Whether the key was used, by a finished call or a queued one: one statement (one round trip in the create's transaction). */
export async function isTransactionKnown(db: Db, transactionId: string): Promise<boolean> {
  const { rows } = await sql<{ known: boolean }>`
    select exists (select 1 from protocol_transactions where transaction_id = ${transactionId})
        or exists (select 1 from async_operations where transaction_id = ${transactionId}) as known
  `.execute(db);
  return rows[0].known;
}

/**
 * For execution: a sync call checks both the finished records and the async queue; the async worker
 * executing a queued call checks only the finished records (its own queue row holds the key).
 */
export async function isTransactionKnownForExecution(db: Db, transactionId: string, mode: 'sync' | 'async'): Promise<boolean> {
  if (mode === 'sync') return isTransactionKnown(db, transactionId);
  const done = await db
    .selectFrom('protocol_transactions')
    .select('transaction_id')
    .where('transaction_id', '=', transactionId)
    .executeTakeFirst();
  return done !== undefined;
}

export async function recordTransaction(
  db: Db,
  record: { transactionId: string; integrationPoint: string; operation: string; response: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('protocol_transactions')
    .values({
      transaction_id: record.transactionId,
      integration_point: record.integrationPoint,
      operation: record.operation,
      // kept for weeks (the idempotency retention), so as the operation log keeps it: phones and codes masked
      response: forLog(record.response),
    })
    .execute();
}

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
 * holds the guest's phone and order and has served; its answer is kept as the operation log keeps it (phones
 * and codes masked). A call to run again, or parked for an operator, keeps its body.
 */
export async function finishAsyncOperation(
  db: Db,
  id: string,
  outcome: { status: 'done' | 'failed' | 'parked' | 'pending'; result?: Record<string, unknown>; error?: string; retryInMs?: number },
): Promise<void> {
  const ran = outcome.status === 'done' || outcome.status === 'failed';
  await db
    .updateTable('async_operations')
    .set({
      status: outcome.status,
      ...(ran ? { body: null } : {}),
      result: outcome.result ? forLog(outcome.result) : null,
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

export interface OperationLogEntry {
  at: Date;
  integrationPoint: string | null;
  operation: string | null;
  mode: string;
  status: string;
  httpStatus: number;
  durationMs: number;
  transactionId: string | null;
  requestId: string;
  errorId: string | null;
  /** JSON text, already masked */
  request: string;
  /** JSON text, already masked */
  response: string;
  notes: string[];
}

export async function insertOperationLogEntries(db: Db, entries: OperationLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('operation_log')
    .values(
      entries.map((entry) => ({
        at: entry.at,
        integration_point: entry.integrationPoint,
        operation: entry.operation,
        mode: entry.mode,
        status: entry.status,
        http_status: entry.httpStatus,
        duration_ms: Math.round(entry.durationMs),
        transaction_id: entry.transactionId,
        request_id: entry.requestId,
        error_id: entry.errorId,
        request: entry.request,
        response: entry.response,
        notes: entry.notes.length ? JSON.stringify(entry.notes) : null,
      })),
    )
    .execute();
}

export interface OperationLogQuery {
  operation?: string;
  status?: string;
  integrationPoint?: string;
  from?: Date;
  to?: Date;
  beforeId?: number;
  limit: number;
}

export async function queryOperationLog(db: Db, query: OperationLogQuery) {
  let select = db.selectFrom('operation_log').selectAll().orderBy('id', 'desc').limit(query.limit);
  if (query.operation) select = select.where('operation', '=', query.operation);
  if (query.status) select = select.where('status', '=', query.status);
  if (query.integrationPoint) select = select.where('integration_point', '=', query.integrationPoint);
  if (query.from) select = select.where('at', '>=', query.from);
  if (query.to) select = select.where('at', '<', query.to);
  if (query.beforeId) select = select.where('id', '<', query.beforeId);
  return select.execute();
}

/** Deletes at most `limit` operation log entries written before `cutoff`, oldest first. */
export async function deleteOperationLogBefore(db: Db, cutoff: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('operation_log')
    .where('id', 'in', db.selectFrom('operation_log').select('id').where('at', '<', cutoff).orderBy('at').limit(limit))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Forgets at most `limit` spent transactionIds recorded before `cutoff`, oldest first: a replay of one is then run again. */
export async function deleteTransactionsBefore(db: Db, cutoff: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('protocol_transactions')
    .where(
      'transaction_id',
      'in',
      db.selectFrom('protocol_transactions').select('transaction_id').where('created_at', '<', cutoff).orderBy('created_at').limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
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

export async function getOperationLogEntry(db: Db, id: number) {
  return db.selectFrom('operation_log').selectAll().where('id', '=', id).executeTakeFirst();
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
