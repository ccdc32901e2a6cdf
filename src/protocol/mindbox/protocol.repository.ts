// SQL of the protocol layer: idempotency records and the operation log (the queue of async calls is src/jobs/call-queue.ts).
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
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

export async function getOperationLogEntry(db: Db, id: number) {
  return db.selectFrom('operation_log').selectAll().where('id', '=', id).executeTakeFirst();
}
