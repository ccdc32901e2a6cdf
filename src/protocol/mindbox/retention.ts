// Keeps the protocol's own records to their retention (docs/retention.md): the operation log, the spent
// transactionIds and the async calls that finished.
import { daysBefore, inBatches } from '../../db/retention.ts';
import type { PeriodicTask } from '../../jobs/types.ts';
import { deleteFinishedAsyncOperationsBefore } from '../../jobs/call-queue.ts';
import { deleteOperationLogBefore, deleteTransactionsBefore } from './protocol.repository.ts';

const EVERY_TEN_MINUTES = 10 * 60 * 1000;

export const operationLogRetention: PeriodicTask = {
  name: 'operation-log-retention',
  everyMs: EVERY_TEN_MINUTES,
  run: async (app) => {
    const cutoff = daysBefore(app.now(), app.config.operationLogRetentionDays);
    const deleted = await inBatches((limit) => deleteOperationLogBefore(app.db, cutoff, limit));
    if (deleted) app.logger.info({ deleted }, 'operation log entries past retention removed');
  },
};

/**
 * A spent transactionId is remembered, and a finished async call with it kept, for the idempotency retention:
 * longer than a POS stays offline with calls to send again. An order sent again after that is still found by
 * its own ids; other calls would run again.
 */
export const idempotencyRetention: PeriodicTask = {
  name: 'idempotency-retention',
  everyMs: EVERY_TEN_MINUTES,
  run: async (app) => {
    const cutoff = daysBefore(app.now(), app.config.idempotencyRetentionDays);
    const transactions = await inBatches((limit) => deleteTransactionsBefore(app.db, cutoff, limit));
    const asyncCalls = await inBatches((limit) => deleteFinishedAsyncOperationsBefore(app.db, cutoff, limit));
    if (transactions || asyncCalls) app.logger.info({ transactions, asyncCalls }, 'idempotency records past retention removed');
  },
};
