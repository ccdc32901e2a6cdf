// The HTTP server: the Mindbox v3 protocol, health, and the admin API. Bodies are read as text and
// decoded by the protocol layer so that every malformed request gets a protocol answer, never a stack trace.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext } from './app-context.ts';
import { registerAdminApi } from './admin/auth.ts';
import { backgroundWork } from './background.ts';
import { registerConsole } from './admin/console.ts';
import { consoleRoutes } from './admin/console.routes.ts';
import { dashboardRoutes } from './admin/dashboard.routes.ts';
import { campaignsRoutes } from './campaigns/campaigns.routes.ts';
import { catalogRoutes } from './catalog/catalog.routes.ts';
import { customersRoutes } from './customers/customers.routes.ts';
import { isDatabaseReachable, withDatabaseTimeLimit } from './db/database.ts';
import { unavailableErrorOf } from './db/errors.ts';
import type { AdminRoutes } from './http/admin-route.ts';
import { capConnectionsPerAddress, continueAfterChecks, serverTimeouts } from './http/connections.ts';
import { answerJsonError, clientErrorOf } from './http/errors.ts';
import { registerMetricsRoute } from './http/metrics.ts';
import { registerOpenApi } from './http/openapi.ts';
import { registerAppleWalletRoutes } from './guestcard/apple-wallet.routes.ts';
import { registerGoogleWalletRoutes } from './guestcard/google-wallet.routes.ts';
import { registerGuestCardRoutes } from './guestcard/guestcard.routes.ts';
import { jobsRoutes } from './jobs/jobs.routes.ts';
import { loyaltyRoutes } from './loyalty/loyalty.routes.ts';
import { registerDeliveryReportRoutes } from './messaging/delivery-reports.routes.ts';
import { registerIncomingSmsRoutes } from './messaging/incoming-sms.routes.ts';
import { messagesRoutes } from './messaging/messages.routes.ts';
import { ordersRoutes } from './orders/orders.routes.ts';
import { projectRoutes } from './project/project.routes.ts';
import { encodeAnswer, answerFormatOf, formatOf } from './protocol/mindbox/codec.ts';
import { errorEnvelope } from './protocol/mindbox/envelope.ts';
import { operationLogRoutes } from './protocol/mindbox/operation-log.routes.ts';
import { registerProtocolRoutes } from './protocol/mindbox/protocol.routes.ts';
import { scenariosRoutes } from './scenarios/scenarios.routes.ts';
import { segmentsRoutes } from './segments/segments.routes.ts';
import { createServerMetrics } from './server-metrics.ts';
import { simulationRoutes } from './simulation/simulation.routes.ts';
import { addressGroup } from './shared/failed-attempts.ts';

/** Every module's /api/admin routes: a module adds its `AdminRoutes` here, and nothing else imports this list. */
const ADMIN_ROUTES: readonly AdminRoutes<AppContext>[] = [
  consoleRoutes,
  dashboardRoutes,
  customersRoutes,
  loyaltyRoutes,
  ordersRoutes,
  catalogRoutes,
  segmentsRoutes,
  scenariosRoutes,
  messagesRoutes,
  operationLogRoutes,
  projectRoutes,
  simulationRoutes,
  jobsRoutes(backgroundWork.catalogue),
  campaignsRoutes,
];

/** A readiness probe is answered well within the usual probe timeouts even when the database does not answer. */
const READINESS_TIME_LIMIT_MS = 1000;

export async function buildServer(app: AppContext): Promise<FastifyInstance> {
  const server = Fastify({
    loggerInstance: app.logger as FastifyBaseLogger,
    bodyLimit: app.config.bodyLimitBytes,
    genReqId: () => randomUUID(),
    // the peer is the one trusted proxy: request.ip is the address it appended to X-Forwarded-For, not what a client wrote there
    trustProxy: app.config.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    // timeouts that fit a POS, and the catalogue upload's time at most (decision 0014)
    ...serverTimeouts({ requestTimeoutMs: app.config.uploadTimeoutMs }),
  });
  continueAfterChecks(server);
  // behind the reverse proxy every socket is the proxy's: it caps the sockets per client (README)
  if (!app.config.trustProxy && app.config.connectionsPerAddress > 0) capConnectionsPerAddress(server, app.config.connectionsPerAddress, addressGroup);

  server.removeAllContentTypeParsers();
  server.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  registerOpenApi(server, '/api/admin');

  server.setErrorHandler((error, request, reply) => {
    // a database that does not answer is a 503 with Retry-After, not an internal error
    if (!request.url.startsWith('/v3/')) return answerJsonError(unavailableErrorOf(error) ?? error, request, reply);
    // the protocol's own failures are answered inside handleProtocolCall; here only what Fastify refused or what escaped
    const refusal = clientErrorOf(error, request);
    if (!refusal) request.log.error({ err: error }, 'request failed');
    const envelope = errorEnvelope(refusal ?? error);
    const format = answerFormatOf(request.headers.accept, formatOf(request.headers['content-type']));
    const { contentType, payload } = encodeAnswer(envelope.body, format);
    return reply.status(envelope.httpStatus).type(contentType).send(payload);
  });

  server.setNotFoundHandler((request, reply) => reply.status(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));

  // probes come every few seconds: they are logged at warn and above only
  const probe = { logLevel: 'warn' } as const;

  // liveness: the process runs (a restart would not bring the database back)
  server.get('/health', probe, async () => ({ status: 'ok', database: app.databaseKind }));

  // readiness: the database answers, so calls can be served
  server.get('/health/ready', probe, async (_request, reply) => {
    const reachable = await withDatabaseTimeLimit(READINESS_TIME_LIMIT_MS, () => isDatabaseReachable(app.db));
    return reply.status(reachable ? 200 : 503).send({ status: reachable ? 'ok' : 'database unreachable', database: app.databaseKind });
  });

  // no token, no metrics: /metrics answers 404 as any path the server does not serve (decision 0022)
  const metrics = app.config.metricsToken ? createServerMetrics(app) : null;
  if (metrics) registerMetricsRoute(server, { registry: metrics.registry, token: app.config.metricsToken!, addressOf: addressGroup, now: () => app.now().getTime() });

  await registerProtocolRoutes(server, app, metrics?.calls ?? null);

  registerDeliveryReportRoutes(server, app);
  registerIncomingSmsRoutes(server, app);
  registerGuestCardRoutes(server, app);
  registerAppleWalletRoutes(server, app);
  registerGoogleWalletRoutes(server, app);
  registerConsole(server, app);
  await registerAdminApi(server, app, ADMIN_ROUTES);
  return server;
}
