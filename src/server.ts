// The HTTP server: the Mindbox v3 protocol, health, and the admin API. Bodies are read as text and
// decoded by the protocol layer so that every malformed request gets a protocol answer, never a stack trace.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext } from './app-context.ts';
import { registerConsole } from './admin/console.ts';
import { registerAdminRoutes } from './admin/routes.ts';
import { isDatabaseReachable } from './db/database.ts';
import { registerDeliveryReportRoutes } from './messaging/delivery-reports.routes.ts';
import { encodeAnswer, answerFormatOf, formatOf } from './protocol/mindbox/codec.ts';
import { errorEnvelope } from './protocol/mindbox/envelope.ts';
import { handleProtocolCall } from './protocol/mindbox/pipeline.ts';
import { RateLimiter } from './protocol/mindbox/rate-limit.ts';
import { protocolError } from './shared/errors.ts';

export async function buildServer(app: AppContext): Promise<FastifyInstance> {
  const server = Fastify({
    loggerInstance: app.logger as FastifyBaseLogger,
    bodyLimit: app.config.bodyLimitBytes,
    genReqId: () => randomUUID(),
    // the peer is the one trusted proxy: request.ip is the address it appended to X-Forwarded-For, not what a client wrote there
    trustProxy: app.config.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
  });
  const rateLimiter = new RateLimiter();

  server.removeAllContentTypeParsers();
  server.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  server.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const isProtocol = request.url.startsWith('/v3/');
    const tooLarge = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
    const known = typeof error.statusCode === 'number' && error.statusCode < 500;
    if (!known) request.log.error({ err: error }, 'request failed');
    if (isProtocol) {
      const envelope = errorEnvelope(
        tooLarge
          ? protocolError(`the body is larger than ${app.config.bodyLimitBytes} bytes; the server's REGULARS_BODY_LIMIT_MB sets the limit`, 'payload_too_large')
          : known
            ? protocolError(error.message)
            : error,
      );
      const format = answerFormatOf(request.headers.accept, formatOf(request.headers['content-type']));
      const { contentType, payload } = encodeAnswer(envelope.body, format);
      return reply.status(envelope.httpStatus).type(contentType).send(payload);
    }
    return reply.status(known ? error.statusCode! : 500).send({ error: known ? error.message : 'internal error', requestId: request.id });
  });

  server.setNotFoundHandler((request, reply) => reply.status(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));

  server.get('/health', async (_request, reply) => {
    const reachable = await isDatabaseReachable(app.db);
    return reply.status(reachable ? 200 : 503).send({ status: reachable ? 'ok' : 'database unreachable', database: app.databaseKind });
  });

  server.post<{ Params: { mode: string } }>('/v3/operations/:mode', async (request, reply) => {
    const mode = request.params.mode;
    if (mode !== 'sync' && mode !== 'async') return reply.status(404).send();
    const answer = await handleProtocolCall(
      app,
      {
        mode,
        query: request.query as Record<string, unknown>,
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        accept: request.headers.accept,
        raw: typeof request.body === 'string' ? request.body : '',
        requestId: request.id,
      },
      rateLimiter,
    );
    const { contentType, payload } = encodeAnswer(answer.body, answer.format);
    if (answer.retryAfterSeconds) reply.header('retry-after', String(answer.retryAfterSeconds));
    return reply.status(answer.httpStatus).type(contentType).send(payload);
  });

  registerDeliveryReportRoutes(server, app);
  registerConsole(server, app);
  await registerAdminRoutes(server, app);
  return server;
}
