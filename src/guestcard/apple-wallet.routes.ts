// Apple Wallet (decision 0023), when configured:
//   GET    /card/wallet/apple.pkpass                                      the signed-in guest's pass
// and Apple's PassKit web service under /card/wallet/apple (the pass's webServiceURL), as Apple specifies it:
//   POST   /v1/devices/:device/registrations/:passType/:serial            register for updates (201 new, 200 again)
//   DELETE /v1/devices/:device/registrations/:passType/:serial            unregister
//   GET    /v1/devices/:device/registrations/:passType?passesUpdatedSince= the passes changed since the tag (204: none)
//   GET    /v1/passes/:passType/:serial                                   the latest pass (304 when not modified)
//   POST   /v1/log                                                        devices' error messages, logged
// Calls about one pass carry `Authorization: ApplePass <its authentication token>`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { APPLE_WEB_SERVICE_PATH, applePassOfGuest, appleWalletOf, latestPass, registerDevice, unregisterDevice, updatedPasses, type WebServiceAnswer } from './apple-wallet.service.ts';
import { guestOfRequest } from './session-cookie.ts';

const PKPASS = 'application/vnd.apple.pkpass';
const BODY_LIMIT_BYTES = 16 * 1024;

type PassParams = { device: string; passType: string; serial: string };

function tokenOf(request: FastifyRequest): string | null {
  const match = /^ApplePass (\S+)$/.exec(request.headers.authorization ?? '');
  return match ? match[1] : null;
}

function jsonOf(request: FastifyRequest): Record<string, unknown> {
  try {
    const value = JSON.parse(typeof request.body === 'string' ? request.body : '');
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

function refusal(reply: FastifyReply, answer: WebServiceAnswer<unknown>): FastifyReply | null {
  if (answer.status === 'unauthorized') return reply.status(401).send();
  if (answer.status === 'notFound') return reply.status(404).send();
  return null;
}

export function registerAppleWalletRoutes(server: FastifyInstance, app: AppContext): void {
  const wallet = appleWalletOf(app);
  if (!wallet) return;
  const base = APPLE_WEB_SERVICE_PATH;

  server.get('/card/wallet/apple.pkpass', async (request, reply) => {
    const customerId = await guestOfRequest(app, request);
    if (customerId === null) return reply.status(303).header('location', '/card').send();
    const pass = await applePassOfGuest(app.db, wallet, app.project.current, customerId, app.now());
    if (!pass) return reply.status(303).header('location', '/card').send();
    return reply.header('cache-control', 'no-store').header('content-disposition', 'attachment; filename="card.pkpass"').type(PKPASS).send(pass);
  });

  server.post<{ Params: PassParams }>(`${base}/v1/devices/:device/registrations/:passType/:serial`, { bodyLimit: BODY_LIMIT_BYTES }, async (request, reply) => {
    const pushToken = jsonOf(request).pushToken;
    if (typeof pushToken !== 'string' || !/^[\w-]{1,200}$/.test(pushToken)) return reply.status(400).send();
    const answer = await registerDevice(app.db, wallet, {
      deviceLibraryId: request.params.device,
      passTypeIdentifier: request.params.passType,
      serialNumber: request.params.serial,
      token: tokenOf(request),
      pushToken,
      now: app.now(),
    });
    return refusal(reply, answer) ?? reply.status(answer.status === 'ok' && answer.value === 'created' ? 201 : 200).send();
  });

  server.delete<{ Params: PassParams }>(`${base}/v1/devices/:device/registrations/:passType/:serial`, async (request, reply) => {
    const answer = await unregisterDevice(app.db, wallet, {
      deviceLibraryId: request.params.device,
      passTypeIdentifier: request.params.passType,
      serialNumber: request.params.serial,
      token: tokenOf(request),
    });
    return refusal(reply, answer) ?? reply.status(200).send();
  });

  server.get<{ Params: Omit<PassParams, 'serial'>; Querystring: { passesUpdatedSince?: string } }>(
    `${base}/v1/devices/:device/registrations/:passType`,
    async (request, reply) => {
      if (request.params.passType !== wallet.signer.config.passTypeIdentifier) return reply.status(404).send();
      const updated = await updatedPasses(app.db, request.params.device, request.query.passesUpdatedSince ?? null);
      return updated ? reply.send(updated) : reply.status(204).send();
    },
  );

  server.get<{ Params: Omit<PassParams, 'device'> }>(`${base}/v1/passes/:passType/:serial`, async (request, reply) => {
    const answer = await latestPass(app.db, wallet, app.project.current, {
      passTypeIdentifier: request.params.passType,
      serialNumber: request.params.serial,
      token: tokenOf(request),
      now: app.now(),
    });
    if (answer.status !== 'ok') return refusal(reply, answer);
    const { pass, lastModified } = answer.value;
    const since = Date.parse(request.headers['if-modified-since'] ?? '');
    // HTTP dates have whole seconds
    if (!Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since) return reply.status(304).send();
    return reply.header('last-modified', lastModified.toUTCString()).header('cache-control', 'no-cache').type(PKPASS).send(pass);
  });

  server.post(`${base}/v1/log`, { bodyLimit: BODY_LIMIT_BYTES }, async (request, reply) => {
    const logs = jsonOf(request).logs;
    if (Array.isArray(logs)) request.log.warn({ logs: logs.slice(0, 20).map((line) => String(line).slice(0, 500)) }, 'Apple Wallet devices report');
    return reply.status(200).send();
  });
}
