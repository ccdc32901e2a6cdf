// One protocol call from raw HTTP input to the answer: integration point, secret key, operation,
// rate limit, body decoding, idempotency, and the handler in one transaction; every call is logged.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../app-context.ts';
import { inTransaction, withDatabaseTimeLimit, type Db } from '../../db/database.ts';
import { isUniqueViolation, unavailableErrorOf } from '../../db/errors.ts';
import { operationHandlers, readOnlyOperationTypes } from './operations/index.ts';
import type { OperationAnswer, OperationCall, OperationDeps } from './operations/types.ts';
import type { IntegrationPointDefinition, OperationDefinition } from '../../project/schemas.ts';
import { AppError, protocolError, validationError } from '../../shared/errors.ts';
import { answerFormatOf, decodeBody, formatOf, type BodyFormat, type DecodedBody } from './codec.ts';
import { alreadyProcessedEnvelope, errorEnvelope, successEnvelope, type Envelope } from './envelope.ts';
import { forLog } from './mask.ts';
import * as repository from './protocol.repository.ts';
import type { RateLimiter } from './rate-limit.ts';

export interface ProtocolCall {
  mode: 'sync' | 'async';
  query: Record<string, unknown>;
  authorization: string | undefined;
  contentType: string | undefined;
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
const DATABASE_TIME_OF_A_CALL_MS = 2500;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `SecretKey <key>` or the legacy `Mindbox secretKey="<key>"`. */
export function secretKeyFrom(header: string | undefined): string | null {
  if (!header) return null;
  const modern = /^SecretKey\s+(\S+)\s*$/i.exec(header.trim());
  if (modern) return modern[1];
  const legacy = /^Mindbox\s+secretKey\s*=\s*"([^"]+)"\s*$/i.exec(header.trim());
  return legacy ? legacy[1] : null;
}

const queryText = (query: Record<string, unknown>, name: string): string | null => {
  const value = query[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
};

interface ResolvedCall {
  integrationPoint: IntegrationPointDefinition;
  operation: OperationDefinition;
  transactionId: string | null;
  deviceUUID: string | null;
  decoded: DecodedBody;
}

async function resolveCall(app: AppContext, call: ProtocolCall, rateLimiter: RateLimiter): Promise<ResolvedCall> {
  const endpointId = queryText(call.query, 'endpointId');
  const operationName = queryText(call.query, 'operation');
  if (!endpointId) throw protocolError('the query parameter endpointId (the integration point system name) is required');
  if (!operationName) throw protocolError('the query parameter operation (the operation system name) is required');
  const project = app.project.current;
  const integrationPoint = project.integrationPoint(endpointId);
  if (!integrationPoint) throw protocolError(`integration point "${endpointId}" is not known`);
  if (call.authorization === undefined || call.authorization.trim() === '')
    throw protocolError('the Authorization header with the secret key is missing', 'unauthorized');
  const key = secretKeyFrom(call.authorization);
  if (!key) throw protocolError('the Authorization header must be "SecretKey <key>" or "Mindbox secretKey=\\"<key>\\""', 'unauthorized');
  if (!(await app.project.isLiveKey(endpointId, key)))
    throw protocolError(`the secret key is not valid for integration point "${endpointId}"`, 'forbidden');
  const operation = project.operation(operationName);
  if (!operation) throw protocolError(`operation "${operationName}" is not known`);
  if (!operation.integrationPoints.includes(endpointId))
    throw protocolError(`operation "${operationName}" is not allowed on integration point "${endpointId}"`, 'forbidden');
  if (operation.mode !== 'both' && operation.mode !== call.mode)
    throw protocolError(`operation "${operationName}" is called through /v3/operations/${operation.mode} only`);
  const limit = operation.rateLimitPerMinute ?? app.config.rateLimitPerMinute;
  if (!rateLimiter.allow(`${endpointId}/${operationName}`, limit, app.now().getTime()))
    throw protocolError(`rate limit of ${limit} calls a minute reached for "${operationName}" on "${endpointId}"`, 'rate_limited');
  const transactionId = queryText(call.query, 'transactionId');
  if (transactionId && !GUID.test(transactionId)) throw protocolError('transactionId must be a GUID');
  const format = formatOf(call.contentType);
  if (!format) throw protocolError('Content-Type must be application/json or application/xml');
  const decoded = decodeBody(call.raw, format);
  if (decoded.format === 'xml' && decoded.xmlRoot !== 'operation' && decoded.xmlRoot !== null && decoded.xmlRoot !== 'yml_catalog')
    throw protocolError(`the XML root element must be <operation>, not <${decoded.xmlRoot}>`);
  if (!operationHandlers[operation.type]) throw protocolError(`operation type ${operation.type} is not supported by this server yet`);
  return { integrationPoint, operation, transactionId, deviceUUID: queryText(call.query, 'deviceUUID'), decoded };
}

/** What running an operation needs besides the call: the handler's dependencies but its transaction. */
export type ExecutionContext = Omit<OperationDeps, 'db' | 'notes'>;

export function executionContextOf(app: AppContext): ExecutionContext {
  return { project: app.project.current, now: app.now(), secrets: app.secrets, defaultSmsUrl: app.config.smsUrl };
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
  const call: OperationCall = {
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
  const depsOn = (connection: Db): OperationDeps => ({ ...context, db: connection, notes });
  const envelopeOf = (answer: OperationAnswer) =>
    answer.validationMessages?.length ? errorEnvelope(validationError(answer.validationMessages)) : successEnvelope(answer.body);
  if (readOnlyOperationTypes.has(resolved.operation.type) && !resolved.transactionId && !alsoInTransaction) {
    return envelopeOf(await handler(call, depsOn(db)));
  }
  try {
    return await inTransaction(db, async (trx) => {
      if (resolved.transactionId && (await repository.isTransactionKnownForExecution(trx, resolved.transactionId, mode)))
        return alreadyProcessedEnvelope();
      const answer = await handler(call, depsOn(trx));
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

export async function handleProtocolCall(app: AppContext, call: ProtocolCall, rateLimiter: RateLimiter): Promise<ProtocolAnswer> {
  const started = performance.now();
  const at = app.now();
  const requestFormat = formatOf(call.contentType);
  const format = answerFormatOf(call.accept, requestFormat);
  const notes: string[] = [];
  let resolved: ResolvedCall | null = null;
  let envelope: Envelope;
  let retryAfterSeconds: number | undefined;
  try {
    envelope = await withDatabaseTimeLimit(DATABASE_TIME_OF_A_CALL_MS, async () => {
      resolved = await resolveCall(app, call, rateLimiter);
      if (call.mode === 'async') return acceptAsync(app, resolved);
      return executeOperation(app.db, executionContextOf(app), resolved, 'sync', notes);
    });
  } catch (error) {
    // a database that does not answer is told as 503 with Retry-After; the outage is logged once, not per call
    const failure = unavailableErrorOf(error) ?? error;
    envelope = errorEnvelope(failure);
    if (failure instanceof AppError) retryAfterSeconds = failure.retryAfterSeconds;
    if (failure instanceof AppError && failure.code === 'rate_limited') retryAfterSeconds = rateLimiter.retryAfterSeconds(at.getTime());
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

async function acceptAsync(app: AppContext, resolved: ResolvedCall): Promise<Envelope> {
  if (resolved.transactionId && (await repository.isTransactionKnown(app.db, resolved.transactionId))) return alreadyProcessedEnvelope();
  try {
    await repository.enqueueAsyncOperation(app.db, {
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

export function logCall(
  app: AppContext,
  entry: { at: Date; call?: ProtocolCall; resolved: ResolvedCall | null; envelope: Envelope; mode: string; durationMs: number; notes: string[]; requestBody?: unknown; transactionId?: string | null; integrationPoint?: string; operation?: string },
): void {
  let request: unknown = entry.requestBody;
  if (request === undefined) {
    request = entry.resolved ? entry.resolved.decoded.body : entry.call?.raw.slice(0, 2048) ?? null;
  }
  app.operationLog.add({
    at: entry.at,
    integrationPoint: entry.resolved?.integrationPoint.systemName ?? entry.integrationPoint ?? (entry.call ? queryText(entry.call.query, 'endpointId') : null),
    operation: entry.resolved?.operation.systemName ?? entry.operation ?? (entry.call ? queryText(entry.call.query, 'operation') : null),
    mode: entry.mode,
    status: String(entry.envelope.body.status),
    httpStatus: entry.envelope.httpStatus,
    durationMs: entry.durationMs,
    transactionId: entry.resolved?.transactionId ?? entry.transactionId ?? null,
    requestId: entry.call?.requestId ?? randomUUID(),
    errorId: entry.envelope.errorId,
    request: forLog(request),
    response: forLog(entry.envelope.body),
    notes: entry.notes,
  });
}

export type { ResolvedCall };
