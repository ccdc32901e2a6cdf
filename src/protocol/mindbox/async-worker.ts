// Executes calls accepted through /v3/operations/async. The handler's writes and the "done" mark commit in
// one transaction, so a crash (even kill -9) before the commit leaves the call pending and it runs again;
// after the commit it never runs twice. Refusals are recorded; unexpected failures retry, then park; a call the
// database's absence interrupted stays pending as it was.
import type { AppContext } from '../../app-context.ts';
import { inTransaction } from '../../db/database.ts';
import { isDatabaseUnavailable } from '../../db/errors.ts';
import { claimAsyncOperation, finishAsyncOperation } from '../../jobs/call-queue.ts';
import { afterFailure, type RetryPolicy } from '../../jobs/retry-policy.ts';
import { isAppError } from '../../shared/errors.ts';
import type { BodyFormat } from './codec.ts';
import { errorEnvelope } from './envelope.ts';
import { executeOperation, executionContextOf, logCall, type ResolvedCall } from './pipeline.ts';
import { forLog } from './mask.ts';

/** An async call that fails unexpectedly is tried 8 times, 1 s doubling to 1 min apart, then parked (decision 0013). */
export const ASYNC_CALL_RETRY: RetryPolicy = { maxAttempts: 8, firstRetryMs: 1000, maxRetryMs: 60_000 };

interface StoredBody {
  format: BodyFormat;
  xmlRoot: string | null;
  body: Record<string, unknown>;
  raw: string | null;
}

/** Processes one due async call; false when there was none. */
export async function processNextAsyncOperation(app: AppContext): Promise<boolean> {
  let claimed: Awaited<ReturnType<typeof claimAsyncOperation>>;
  let resolved: ResolvedCall | null = null;
  const notes: string[] = [];
  const started = performance.now();
  try {
    const outcome = await inTransaction(app.db, async (trx) => {
      claimed = await claimAsyncOperation(trx);
      if (!claimed) return null;
      const row = claimed;
      const project = app.project.current;
      const integrationPoint = project.integrationPoint(row.integration_point);
      const operation = project.operation(row.operation);
      if (!integrationPoint || !operation) {
        await finishAsyncOperation(trx, row.id, { status: 'failed', error: `operation "${row.operation}" or integration point "${row.integration_point}" no longer exists` });
        return { row, envelope: null };
      }
      const stored = row.body as unknown as StoredBody;
      resolved = {
        integrationPoint,
        operation,
        transactionId: row.transaction_id,
        deviceUUID: row.device_uuid,
        decoded: { format: stored.format, xmlRoot: stored.xmlRoot, body: stored.body, raw: stored.raw ?? '' },
      };
      const envelope = await executeOperation(trx, executionContextOf(app), resolved, 'async', notes, async (inner, answer) => {
        await finishAsyncOperation(inner, row.id, { status: 'done', result: forLog(answer.body) });
      });
      return { row, envelope };
    });
    if (!outcome) return false;
    if (outcome.envelope) {
      logCall(app, { at: app.now(), resolved, envelope: outcome.envelope, mode: 'async', durationMs: performance.now() - started, notes });
    }
    return true;
  } catch (error) {
    // the database went away: the transaction with the claim rolled back, so the call waits, pending and with
    // its attempts untouched, for the worker to come back to it once the database answers
    if (isDatabaseUnavailable(error)) throw error;
    const row = claimed!;
    if (!row) throw error;
    const envelope = errorEnvelope(error);
    if (isAppError(error)) {
      await finishAsyncOperation(app.db, row.id, { status: 'failed', result: forLog(envelope.body), error: error.message });
    } else {
      const attempts = row.attempts + 1;
      const next = afterFailure(ASYNC_CALL_RETRY, attempts);
      app.logger.error({ err: error, asyncOperation: row.id, attempts, parked: next.park }, 'async operation failed unexpectedly');
      await finishAsyncOperation(app.db, row.id, {
        status: next.park ? 'parked' : 'pending',
        result: forLog(envelope.body),
        error: (error as Error).message,
        retryInMs: next.park ? 0 : next.retryInMs,
      });
    }
    logCall(app, {
      at: app.now(),
      resolved,
      envelope,
      mode: 'async',
      durationMs: performance.now() - started,
      notes,
      integrationPoint: row.integration_point,
      operation: row.operation,
      transactionId: row.transaction_id,
      requestBody: (row.body as unknown as StoredBody).body,
    });
    return true;
  }
}
