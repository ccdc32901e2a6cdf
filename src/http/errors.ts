// How the JSON routes (the admin API, sign-in, the API document, health) answer a failure: an AppError
// with the admin status of its code (`{ error, issues? }`), a refusal of Fastify's own (a body over the
// limit, a malformed URL) the same way, anything else 500 with the request id to quote, logged.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_TABLE, isAppError, type ErrorCode } from '../shared/errors.ts';

const CODE_OF_CLIENT_STATUS = new Map<number, ErrorCode>(
  (Object.entries(ERROR_TABLE) as [ErrorCode, (typeof ERROR_TABLE)[ErrorCode]][])
    .filter(([code, answer]) => code !== 'validation' && answer.adminHttpStatus < 500)
    .map(([code, answer]) => [answer.adminHttpStatus, code]),
);

/** Fastify's refusal of a request (a 4xx it raised before any route ran) as an AppError; null for anything else. */
export function clientErrorOf(error: unknown, request: FastifyRequest): AppError | null {
  // a hook's own refusal (a connection over its address's cap, say) reaches the error handler as it was thrown
  if (isAppError(error)) return error;
  const { statusCode, code, message } = (typeof error === 'object' && error !== null ? error : {}) as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return null;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new AppError('payload_too_large', `the body is larger than the ${request.routeOptions.bodyLimit} bytes this route takes`);
  }
  return new AppError(CODE_OF_CLIENT_STATUS.get(statusCode) ?? 'bad_request', typeof message === 'string' ? message : 'bad request');
}

export function answerJsonError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = isAppError(error) ? error : clientErrorOf(error, request);
  if (!known) {
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: 'internal error', requestId: request.id });
  }
  if (known.retryAfterSeconds !== undefined) reply.header('retry-after', String(known.retryAfterSeconds));
  const issues = known.validationMessages.map((message) => ({ path: message.location ?? '', message: message.message }));
  return reply.status(ERROR_TABLE[known.code].adminHttpStatus).send({ error: known.message, ...(issues.length ? { issues } : {}) });
}
