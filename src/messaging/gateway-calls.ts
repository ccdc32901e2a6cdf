// What the routes an HTTP SMS gateway calls back share (delivery reports, guests' replies): the connection must be
// an http(s) gateway with a `statusSecret` (decision 0104), the call carries that secret (`Authorization: Bearer
// SECRET`, or Basic with the secret as the password; never in the query string, which ends up in access logs),
// and wrong secrets count as failed attempts of the address, per connection (decision 0502). Bodies are JSON or a form.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { sameSecret } from '../project/secrets.ts';
import { addressCounter, addressGroup, checkThenCount, credentialCounter } from '../shared/failed-attempts.ts';

/**
 * The connection's name when the call names a gateway connection and carries its secret; null when it was
 * answered already (404: no such gateway connection, 401: no secret, 403: a wrong one). `what` names the call in
 * the answers ("a delivery report").
 */
export async function authenticatedGatewayCall(
  app: AppContext,
  request: FastifyRequest<{ Params: { connection: string } }>,
  reply: FastifyReply,
  what: string,
): Promise<string | null> {
  const name = request.params.connection;
  const project = app.project.current;
  const connection = project.smsConnection(name);
  if (!connection) {
    reply.status(404).send({ error: `no SMS connection "${name}"` });
    return null;
  }
  if (!/^https?:/.test(project.smsConnectionUrl(name, app.config.smsUrl)) || connection.statusSecret === undefined) {
    reply.status(404).send({ error: `SMS connection "${name}" takes no ${what}s: that needs an http(s) gateway and a statusSecret in its definition` });
    return null;
  }
  const secret = secretIn(request.headers.authorization);
  if (secret === null) {
    reply
      .status(401)
      .header('www-authenticate', 'Bearer')
      .send({ error: `a ${what} carries the connection's secret: Authorization: Bearer SECRET (or Basic with the secret as the password)` });
    return null;
  }
  const statusSecret = connection.statusSecret;
  // the connection has one secret: wrong guesses at any of its routes count together
  const counters = [addressCounter(request.ip), credentialCounter(`delivery-report:${name}@${addressGroup(request.ip)}`)];
  const accepted = await checkThenCount(app.db, counters, app.now(), async () =>
    sameSecret(secret, project.secret(statusSecret, `smsConnections/${name}/statusSecret`)) ? true : null,
  );
  if (!accepted) {
    reply.status(403).send({ error: `wrong secret for SMS connection "${name}"` });
    return null;
  }
  return name;
}

/** The secret of `Bearer SECRET`, or the password of `Basic base64(user:SECRET)`; null when there is none. */
function secretIn(authorization: string | undefined): string | null {
  const [scheme, value] = (authorization ?? '').trim().split(/\s+/, 2);
  if (!value) return null;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() !== 'basic') return null;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : null;
}

/** A gateway's body, JSON or a form; `example` says in the refusal of an empty one what to send. */
export function gatewayBody(request: FastifyRequest, example: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const raw = typeof request.body === 'string' ? request.body : '';
  if ((request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(raw)) };
  }
  if (raw.trim() === '') return { ok: false, message: `is empty: send JSON ${example} or the same as a form` };
  try {
    const value: unknown = JSON.parse(raw);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'must be a JSON object' };
    return { ok: true, value };
  } catch {
    return { ok: false, message: 'is not JSON (or a form with content-type application/x-www-form-urlencoded)' };
  }
}
