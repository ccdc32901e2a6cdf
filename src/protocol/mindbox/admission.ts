// What the URL and the headers of a protocol call settle before its body is read (decision 0014): the
// integration point and its secret key, then the operation, its mode and rate limit, the transactionId, the
// body's format, and how large the body may be and how long it may take to arrive.
import type { AppContext } from '../../app-context.ts';
import type { IntegrationPointDefinition, OperationDefinition } from '../../project/schemas.ts';
import { AppError, protocolError } from '../../shared/errors.ts';
import { formatOf, type BodyFormat } from './codec.ts';
import { bodyLimitOf, bodyTimeOf } from './limits.ts';
import { operationHandlers } from './operations/index.ts';
import type { RateLimiter } from './rate-limit.ts';

/** What a call says before its body. */
export interface CallHeaders {
  mode: 'sync' | 'async';
  query: Record<string, unknown>;
  authorization: string | undefined;
  contentType: string | undefined;
}

/** A call whose headers passed every check: its body may now be read, up to `bodyLimitBytes`. */
export interface AdmittedCall {
  integrationPoint: IntegrationPointDefinition;
  operation: OperationDefinition;
  transactionId: string | null;
  deviceUUID: string | null;
  format: BodyFormat;
  bodyLimitBytes: number;
  bodyTimeMs: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `SecretKey <key>` or the legacy `Mindbox secretKey="<key>"`. */
export function secretKeyFrom(header: string | undefined): string | null {
  if (!header) return null;
  const modern = /^SecretKey\s+(\S+)\s*$/i.exec(header.trim());
  if (modern) return modern[1];
  const legacy = /^Mindbox\s+secretKey\s*=\s*"([^"]+)"\s*$/i.exec(header.trim());
  return legacy ? legacy[1] : null;
}

export const queryText = (query: Record<string, unknown>, name: string): string | null => {
  const value = query[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
};

/**
 * The integration point whose live secret key the call carries. Every refusal here is a failed authentication;
 * a key it does not know costs a lookup in memory (and at most one shared re-read of the keys a second).
 */
export async function authenticate(app: AppContext, headers: CallHeaders): Promise<IntegrationPointDefinition> {
  const endpointId = queryText(headers.query, 'endpointId');
  if (!endpointId) throw protocolError('the query parameter endpointId (the integration point system name) is required');
  const integrationPoint = app.project.current.integrationPoint(endpointId);
  if (!integrationPoint) throw protocolError(`integration point "${endpointId}" is not known`);
  if (headers.authorization === undefined || headers.authorization.trim() === '')
    throw protocolError('the Authorization header with the secret key is missing', 'unauthorized');
  const key = secretKeyFrom(headers.authorization);
  if (!key) throw protocolError('the Authorization header must be "SecretKey <key>" or "Mindbox secretKey=\\"<key>\\""', 'unauthorized');
  if (!(await app.project.isLiveKey(endpointId, key)))
    throw protocolError(`the secret key is not valid for integration point "${endpointId}"`, 'forbidden');
  return integrationPoint;
}

/** The rest of the checks of an authenticated call, all in memory; the rate limit counts the call. */
export function admitOperation(app: AppContext, integrationPoint: IntegrationPointDefinition, headers: CallHeaders, rateLimiter: RateLimiter): AdmittedCall {
  const endpointId = integrationPoint.systemName;
  const operationName = queryText(headers.query, 'operation');
  if (!operationName) throw protocolError('the query parameter operation (the operation system name) is required');
  const operation = app.project.current.operation(operationName);
  if (!operation) throw protocolError(`operation "${operationName}" is not known`);
  if (!operation.integrationPoints.includes(endpointId))
    throw protocolError(`operation "${operationName}" is not allowed on integration point "${endpointId}"`, 'forbidden');
  if (operation.mode !== 'both' && operation.mode !== headers.mode)
    throw protocolError(`operation "${operationName}" is called through /v3/operations/${operation.mode} only`);
  if (!operationHandlers[operation.type]) throw protocolError(`operation type ${operation.type} is not supported by this server yet`);
  const limit = operation.rateLimitPerMinute ?? app.config.rateLimitPerMinute;
  const now = app.now().getTime();
  if (!rateLimiter.allow(`${endpointId}/${operationName}`, limit, now)) {
    throw new AppError('rate_limited', `rate limit of ${limit} calls a minute reached for "${operationName}" on "${endpointId}"`, {
      retryAfterSeconds: rateLimiter.retryAfterSeconds(now),
    });
  }
  const transactionId = queryText(headers.query, 'transactionId');
  if (transactionId && !GUID.test(transactionId)) throw protocolError('transactionId must be a GUID');
  const format = formatOf(headers.contentType);
  if (!format) throw protocolError('Content-Type must be application/json or application/xml');
  return {
    integrationPoint,
    operation,
    transactionId,
    deviceUUID: queryText(headers.query, 'deviceUUID'),
    format,
    bodyLimitBytes: bodyLimitOf(operation.type, app.config),
    bodyTimeMs: bodyTimeOf(operation.type, app.config),
  };
}
