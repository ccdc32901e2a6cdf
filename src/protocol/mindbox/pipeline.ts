// One protocol call from its body to the answer, once its URL and headers were admitted (admission.ts): body
// decoding, idempotency, and the handler in one transaction; every call is logged.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../app-context.ts';
import { inTransaction, withDatabaseTimeLimit, type Db } from '../../db/database.ts';
import { isUniqueViolation, unavailableErrorOf } from '../../db/errors.ts';
import { enqueueAsyncOperation } from '../../jobs/call-queue.ts';
import { operationHandlers, readOnlyOperationTypes } from './operations/index.ts';
import type { OperationAnswer, OperationCall, OperationDeps } from './operations/types.ts';
import { performNotingIgnoredFields } from './ignored-fields.ts';
import type { IntegrationPointDefinition, OperationDefinition } from '../../project/schemas.ts';
import { AppError, protocolError, validationError } from '../../shared/errors.ts';
import type { AdmittedCall } from './admission.ts';
import { answerFormatOf, decodeBody, type BodyFormat, type DecodedBody } from './codec.ts';
import { alreadyProcessedEnvelope, errorEnvelope, successEnvelope, type Envelope } from './envelope.ts';
import { forLog, maskRawText } from './mask.ts';
import * as repository from './protocol.repository.ts';

export interface ProtocolCall {
  mode: 'sync' | 'async';
  /** what its URL and headers settled before the body was read */
  admitted: AdmittedCall;
  accept: string | undefined;
  raw: string;
  requestId: string;
}

export interface ProtocolAnswer extends Envelope {
  format: BodyFormat;
  retryAfterSeconds?: number;
}

/**
 * How long a call's database work may take: the POS gives up after 3 s, so a database that stops answering is
 * told as 503 before that, with time left for the answer to travel.
 */
export const DATABASE_TIME_OF_A_CALL_MS = 2500;

interface ResolvedCall {
  integrationPoint: IntegrationPointDefinition;
  operation: OperationDefinition;
  transactionId: string | null;
  deviceUUID: string | null;
  decoded: DecodedBody;
}

function resolveCall(call: ProtocolCall): ResolvedCall {
  const { admitted } = call;
  const decoded = decodeBody(call.raw, admitted.format);
  if (decoded.format === 'xml' && decoded.xmlRoot !== 'operation' && decoded.xmlRoot !== null && decoded.xmlRoot !== 'yml_catalog')
    throw protocolError(`the XML root element must be <operation>, not <${maskRawText(decoded.xmlRoot)}>`);
  return {
    integrationPoint: admitted.integrationPoint,
    operation: admitted.operation,
    transactionId: admitted.transactionId,
    deviceUUID: admitted.deviceUUID,
    decoded,
  };
}

/** What running an operation needs besides the call: the handler's dependencies but its transaction. */
export type ExecutionContext = Omit<OperationDeps, 'db' | 'notes'>;

export function executionContextOf(app: AppContext): ExecutionContext {
  return { project: app.project.current, now: app.now(), secrets: app.secrets, defaultSmsUrl: app.config.smsUrl };
}

function operationCallOf(resolved: ResolvedCall, mode: 'sync' | 'async'): OperationCall {
  return {
    integrationPoint: resolved.integrationPoint,
    operation: resolved.operation,
    body: resolved.decoded.body,
    format: resolved.decoded.format,
    xmlRoot: resolved.decoded.xmlRoot,
    raw: resolved.decoded.raw,
    transactionId: resolved.transactionId,
    deviceUUID: resolved.deviceUUID,
    mode,
  };
}

/**
 * Runs an operation's handler in one transaction with its idempotency record, on `db`: the connection for a
 * sync call, or the transaction the async worker opened (it passes `alsoInTransaction` to mark its queue row
 * done in the same commit). It is given no app, so it cannot reach another connection by mistake.
 */
export async function executeOperation(
  db: Db,
  context: ExecutionContext,
  resolved: ResolvedCall,
  mode: 'sync' | 'async',
  notes: string[],
  alsoInTransaction?: (trx: Db, envelope: Envelope) => Promise<void>,
): Promise<Envelope> {
  const handler = operationHandlers[resolved.operation.type]!;
  const call = operationCallOf(resolved, mode);
  const depsOn = (connection: Db): OperationDeps => ({ ...context, db: connection, notes });
  const envelopeOf = (answer: OperationAnswer) =>
    answer.validationMessages?.length ? errorEnvelope(validationError(answer.validationMessages)) : successEnvelope(answer.body);
  if (readOnlyOperationTypes.has(resolved.operation.type) && !resolved.transactionId && !alsoInTransaction) {
    return envelopeOf(await performNotingIgnoredFields(handler, call, depsOn(db)));
  }
  try {
    return await inTransaction(db, async (trx) => {
      if (resolved.transactionId && (await repository.isTransactionKnownForExecution(trx, resolved.transactionId, mode)))
        return alreadyProcessedEnvelope();
      const answer = await performNotingIgnoredFields(handler, call, depsOn(trx));
      const envelope = envelopeOf(answer);
      if (resolved.transactionId && answer.recordTransaction !== false) {
        await repository.recordTransaction(trx, {
          transactionId: resolved.transactionId,
          integrationPoint: resolved.integrationPoint.systemName,
          operation: resolved.operation.systemName,
          response: envelope.body,
        });
      }
      if (alsoInTransaction) await alsoInTransaction(trx, envelope);
      return envelope;
    });
  } catch (error) {
    if (isUniqueViolation(error) && resolved.transactionId) {
      // a concurrent call with the same transactionId committed first
      if (await repository.isTransactionKnown(db, resolved.transactionId)) return alreadyProcessedEnvelope();
    }
    throw error;
  }
}

export async function handleProtocolCall(app: AppContext, call: ProtocolCall): Promise<ProtocolAnswer> {
  const started = performance.now();
  const at = app.now();
  const format = answerFormatOf(call.accept, call.admitted.format);
  const notes: string[] = [];
  let resolved: ResolvedCall | null = null;
  let envelope: Envelope;
  let retryAfterSeconds: number | undefined;
  try {
    envelope = await withDatabaseTimeLimit(DATABASE_TIME_OF_A_CALL_MS, async () => {
      resolved = resolveCall(call);
      if (call.mode === 'async') return acceptAsync(app, resolved);
      return executeOperation(app.db, executionContextOf(app), resolved, 'sync', notes);
    });
  } catch (error) {
    // a database that does not answer is told as 503 with Retry-After; the outage is logged once, not per call
    const failure = unavailableErrorOf(error) ?? error;
    envelope = errorEnvelope(failure);
    if (failure instanceof AppError) retryAfterSeconds = failure.retryAfterSeconds;
    if (!(failure instanceof AppError)) {
      app.logger.error({ err: error, requestId: call.requestId, errorId: envelope.errorId }, 'operation failed unexpectedly');
    }
  }
  logCall(app, {
    at,
    call,
    resolved,
    envelope,
    mode: call.mode,
    durationMs: performance.now() - started,
    notes,
  });
  return { ...envelope, format, retryAfterSeconds };
}

/**
 * Takes an async call for the worker. What can be judged without running it — the query, the key, the body's
 * decoding and what the operation reads of it — is judged now and refused at once, so a call answered
 * `Success` here can only fail on the data it meets.
 */
async function acceptAsync(app: AppContext, resolved: ResolvedCall): Promise<Envelope> {
  if (resolved.transactionId && (await repository.isTransactionKnown(app.db, resolved.transactionId))) return alreadyProcessedEnvelope();
  const handler = operationHandlers[resolved.operation.type]!;
  (handler.intake ?? handler.read)(operationCallOf(resolved, 'async'), { project: app.project.current, now: app.now() });
  try {
    await enqueueAsyncOperation(app.db, {
      integrationPoint: resolved.integrationPoint.systemName,
      operation: resolved.operation.systemName,
      transactionId: resolved.transactionId,
      deviceUUID: resolved.deviceUUID,
      body: { format: resolved.decoded.format, xmlRoot: resolved.decoded.xmlRoot, body: resolved.decoded.body, raw: resolved.decoded.format === 'xml' && resolved.decoded.xmlRoot === 'yml_catalog' ? resolved.decoded.raw : null },
    });
  } catch (error) {
    if (isUniqueViolation(error)) return alreadyProcessedEnvelope();
    throw error;
  }
  return successEnvelope({});
}

export interface LogEntry {
  at: Date;
  call?: ProtocolCall;
  resolved: ResolvedCall | null;
  envelope: Envelope;
  mode: string;
  durationMs: number;
  notes: string[];
  /** what to keep of the request, when it is not the call's decoded body (or its undecodable text) */
  requestBody?: unknown;
  transactionId?: string | null;
  integrationPoint?: string | null;
  operation?: string | null;
  requestId?: string;
}

/** What the log keeps of the request: the decoded body masked, or the text that could not be decoded, masked. */
function requestOf(entry: LogEntry): unknown {
  if (entry.requestBody !== undefined) return entry.requestBody;
  if (entry.resolved) return entry.resolved.decoded.body;
  return entry.call ? maskRawText(entry.call.raw) : null;
}

/**
 * Adds a call to the operation log. It never throws, so nothing here can turn an answer (a committed success
 * above all) into an error: an entry that cannot be written whole is written without its bodies.
 */
export function logCall(app: AppContext, entry: LogEntry): void {
  const requestId = entry.call?.requestId ?? entry.requestId ?? randomUUID();
  try {
    const summary = {
      at: entry.at,
      integrationPoint: entry.resolved?.integrationPoint.systemName ?? entry.call?.admitted.integrationPoint.systemName ?? entry.integrationPoint ?? null,
      operation: entry.resolved?.operation.systemName ?? entry.call?.admitted.operation.systemName ?? entry.operation ?? null,
      mode: entry.mode,
      status: String(entry.envelope.body.status),
      httpStatus: entry.envelope.httpStatus,
      durationMs: entry.durationMs,
      transactionId: entry.resolved?.transactionId ?? entry.call?.admitted.transactionId ?? entry.transactionId ?? null,
      requestId,
      errorId: entry.envelope.errorId,
      notes: entry.notes,
    };
    try {
      app.operationLog.add({ ...summary, request: forLog(requestOf(entry)), response: forLog(entry.envelope.body) });
    } catch (error) {
      app.logger.error({ err: error, requestId }, 'a protocol call could not be logged whole; it is logged without its bodies');
      app.operationLog.add({ ...summary, request: 'null', response: forLog({ status: summary.status }), notes: [...entry.notes, 'logged without its request and answer: they could not be written'] });
    }
  } catch (error) {
    app.logger.error({ err: error, requestId }, 'a protocol call could not be logged');
  }
}

export type { ResolvedCall };
