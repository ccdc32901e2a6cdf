// The protocol's route, POST /v3/operations/sync|async, with its checks in the order of decision 0014: an
// address shut out for failed authentications is refused at once; the call is authenticated and admitted from
// its URL and headers, and a declared body over the operation's limit refused, before a byte of the body is read
// (onRequest); the body is read within the operation's budget of bytes and time (preParsing); then decoded and
// run (pipeline.ts). Every refusal is a Mindbox envelope in the call's format and is logged without the body it
// did not read — but a shut-out address's, which cost nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { AppContext } from '../../app-context.ts';
import { withDatabaseTimeLimit } from '../../db/database.ts';
import { unavailableErrorOf } from '../../db/errors.ts';
import { closeAfterAnswer } from '../../http/connections.ts';
import { clientErrorOf } from '../../http/errors.ts';
import { FailureThrottle } from '../../http/failure-throttle.ts';
import { limitedBody } from '../../http/limited-body.ts';
import { AppError, isAppError } from '../../shared/errors.ts';
import { addressGroup } from '../../shared/failed-attempts.ts';
import { admitOperation, authenticate, queryText, type AdmittedCall, type CallHeaders } from './admission.ts';
import { answerFormatOf, encodeAnswer, formatOf, type BodyFormat } from './codec.ts';
import { errorEnvelope } from './envelope.ts';
import type { ProtocolCallMetrics } from './call-metrics.ts';
import { bodyLimitSettingOf, FAILED_AUTHENTICATION } from './limits.ts';
import { DATABASE_TIME_OF_A_CALL_MS, handleProtocolCall, logCall } from './pipeline.ts';
import { RateLimiter } from './rate-limit.ts';

type ProtocolRequest = FastifyRequest<{ Params: { mode: string } }>;

interface CallState {
  at: Date;
  started: number;
  admitted: AdmittedCall | null;
  /** a shut-out address's refusals are not logged one by one: a flood of them must cost nothing */
  logged: boolean;
  /** the answer's envelope status, for the metrics */
  status: string | null;
}

/** The log keeps at most this much of a refused call's integration point and operation: it is the caller's text. */
const MAX_LOGGED_NAME = 200;

function tooLarge(admitted: AdmittedCall): AppError {
  const { operation, bodyLimitBytes } = admitted;
  return new AppError(
    'payload_too_large',
    `the body of ${operation.systemName} may have at most ${bodyLimitBytes} bytes; the server's ${bodyLimitSettingOf(operation.type)} sets the limit`,
  );
}

/** The answer's text. Encoding what a handler answered cannot fail; should it, the status alone still goes out. */
function encoded(request: FastifyRequest, body: Record<string, unknown>, format: BodyFormat): { contentType: string; payload: string } {
  try {
    return encodeAnswer(body, format);
  } catch (error) {
    request.log.error({ err: error }, 'an answer could not be encoded; its status alone is sent');
    return encodeAnswer({ status: body.status }, format);
  }
}

export async function registerProtocolRoutes(server: FastifyInstance, app: AppContext, metrics: ProtocolCallMetrics | null): Promise<void> {
  const rateLimiter = new RateLimiter();
  const failedAuthentications = new FailureThrottle(FAILED_AUTHENTICATION);
  const calls = new WeakMap<FastifyRequest, CallState>();

  async function admit(request: ProtocolRequest, reply: FastifyReply): Promise<void> {
    const state: CallState = { at: app.now(), started: performance.now(), admitted: null, logged: true, status: null };
    calls.set(request, state);
    const mode = request.params.mode;
    if (mode !== 'sync' && mode !== 'async') {
      state.logged = false;
      closeAfterAnswer(request.raw, reply);
      await reply.status(404).send();
      return;
    }
    // an IPv6 client holds a whole /64, so it is counted by it, as the sign-in limits count it
    const address = addressGroup(request.ip);
    const now = state.at.getTime();
    const wait = failedAuthentications.retryAfterSeconds(address, now);
    if (wait > 0) {
      state.logged = false;
      throw new AppError('rate_limited', `too many failed authentications from this address; try again in ${wait} s`, { retryAfterSeconds: wait });
    }
    const headers: CallHeaders = {
      mode,
      query: request.query as Record<string, unknown>,
      authorization: request.headers.authorization,
      contentType: request.headers['content-type'],
    };
    let integrationPoint;
    try {
      integrationPoint = await withDatabaseTimeLimit(DATABASE_TIME_OF_A_CALL_MS, () => authenticate(app, headers));
    } catch (error) {
      // a database that does not answer is no failed authentication
      if (isAppError(error) && failedAuthentications.recordFailure(address, now)) {
        app.logger.warn({ address }, 'protocol calls from this address are refused for a minute: too many failed authentications');
      }
      throw error;
    }
    state.admitted = admitOperation(app, integrationPoint, headers, rateLimiter);
    if (Number(request.headers['content-length']) > state.admitted.bodyLimitBytes) throw tooLarge(state.admitted);
  }

  async function readWithinBudget(request: ProtocolRequest, _reply: FastifyReply, payload: Readable): Promise<Readable> {
    const admitted = calls.get(request)!.admitted!;
    return limitedBody(payload, {
      maxBytes: admitted.bodyLimitBytes,
      timeMs: admitted.bodyTimeMs,
      tooLarge: () => tooLarge(admitted),
      tooSlow: () => new AppError('request_timeout', `the body did not arrive within ${admitted.bodyTimeMs / 1000} s`),
    });
  }

  async function handle(request: ProtocolRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { admitted } = calls.get(request)!;
    const answer = await handleProtocolCall(app, {
      mode: request.params.mode as 'sync' | 'async',
      admitted: admitted!,
      accept: request.headers.accept,
      raw: typeof request.body === 'string' ? request.body : '',
      requestId: request.id,
    });
    if (answer.retryAfterSeconds) reply.header('retry-after', String(answer.retryAfterSeconds));
    calls.get(request)!.status = String(answer.body.status);
    const { contentType, payload } = encoded(request, answer.body, answer.format);
    return reply.status(answer.httpStatus).type(contentType).send(payload);
  }

  /** A call refused before its body was decoded: by the checks of its headers, or while its body was read. */
  function answerRefusal(error: unknown, request: ProtocolRequest, reply: FastifyReply): FastifyReply {
    const state = calls.get(request);
    const refusal = isAppError(error) ? error : (unavailableErrorOf(error) ?? clientErrorOf(error, request));
    if (!refusal) request.log.error({ err: error }, 'request failed');
    const envelope = errorEnvelope(refusal ?? error);
    if (state) state.status = String(envelope.body.status);
    // the rest of a body not read is not wanted: the socket closes after the answer instead of reading it
    if (!request.raw.complete) closeAfterAnswer(request.raw, reply);
    if (refusal?.retryAfterSeconds !== undefined) reply.header('retry-after', String(refusal.retryAfterSeconds));
    if (state?.logged) {
      const declared = Number(request.headers['content-length']);
      const named = (name: string) => queryText(request.query as Record<string, unknown>, name)?.slice(0, MAX_LOGGED_NAME) ?? null;
      logCall(app, {
        at: state.at,
        resolved: null,
        envelope,
        mode: request.params.mode,
        durationMs: performance.now() - state.started,
        notes: [],
        requestBody: { body: 'not read', contentLength: Number.isFinite(declared) ? declared : null },
        integrationPoint: state.admitted?.integrationPoint.systemName ?? named('endpointId'),
        operation: state.admitted?.operation.systemName ?? named('operation'),
        transactionId: state.admitted?.transactionId ?? null,
        requestId: request.id,
      });
    }
    const format = answerFormatOf(request.headers.accept, state?.admitted?.format ?? formatOf(request.headers['content-type']));
    const { contentType, payload } = encoded(request, envelope.body, format);
    return reply.status(envelope.httpStatus).type(contentType).send(payload);
  }

  await server.register(async (scope) => {
    scope.setErrorHandler(answerRefusal);
    if (metrics) {
      scope.addHook('onResponse', async (request, reply) => {
        const state = calls.get(request);
        if (!state) return;
        metrics.record({
          operation: state.admitted?.operation.systemName ?? null,
          mode: (request.params as { mode?: string }).mode ?? '',
          status: state.status,
          httpStatus: reply.statusCode,
          seconds: (performance.now() - state.started) / 1000,
        });
      });
    }
    scope.post<{ Params: { mode: string } }>('/v3/operations/:mode', { onRequest: admit, preParsing: readWithinBudget }, handle);
  });
}
