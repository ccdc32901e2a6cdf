// POST /api/sms/:connection/status — delivery reports of an HTTP SMS gateway (decision 0104).
//
// The gateway authenticates with the connection's own secret (`Authorization: Bearer SECRET`, or Basic
// with the secret as the password, for gateways that only take a URL with credentials): the connection's
// `statusSecret`, kept sealed or named as an environment variable (decision 0008). The body, JSON or a form, names the gateway's message id and the
// outcome: `{"messageId": "gw-42", "status": "delivered"}` or `{"messageId": "gw-42", "status": "failed",
// "error": "UNDELIV"}`. Only a `sent` message moves; the first final report wins and a repeated one is
// answered 200 with the status kept, so a gateway that retries stops. An unknown id answers 404 (after one
// second's grace for a report that overtook the commit marking its message sent), bad input 400 naming
// the field. Wrong secrets count as failed attempts of the address they come from, per connection (decision 0502):
// after a few, that address waits before its next report is looked at, the right secret included.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { sameSecret } from '../project/secrets.ts';
import { addressCounter, addressGroup, checkThenCount, credentialCounter } from '../shared/failed-attempts.ts';
import * as repository from './messages.repository.ts';

export const REPORT_GRACE_MS = 1000;

/** Gateways send numbers as often as texts; an absent or null error is no error. */
const asText = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : value === null ? undefined : value);

const reportSchema = z.object({
  messageId: z.preprocess(
    asText,
    z
      .string({ error: (issue) => (issue.input === undefined ? 'is required: the message id the gateway answered when it accepted the SMS' : 'must be a text or a number') })
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'has at most 200 characters'),
  ),
  status: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
    z.enum(['delivered', 'failed'], { error: (issue) => (issue.input === undefined ? 'is required: delivered or failed' : 'must be delivered or failed') }),
  ),
  error: z.preprocess(asText, z.string({ error: 'must be a text' }).max(500, 'has at most 500 characters').optional()),
});

export function registerDeliveryReportRoutes(server: FastifyInstance, app: AppContext): void {
  server.post<{ Params: { connection: string } }>('/api/sms/:connection/status', async (request, reply) => {
    const name = request.params.connection;
    const connection = app.project.current.smsConnection(name);
    if (!connection) return reply.status(404).send({ error: `no SMS connection "${name}"` });
    const project = app.project.current;
    if (!/^https?:/.test(project.smsConnectionUrl(name, app.config.smsUrl)) || connection.statusSecret === undefined) {
      return reply.status(404).send({ error: `SMS connection "${name}" takes no delivery reports: that needs an http(s) gateway and a statusSecret in its definition` });
    }
    const secret = secretIn(request.headers.authorization);
    if (secret === null) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: "a delivery report carries the connection's secret: Authorization: Bearer SECRET (or Basic with the secret as the password)" });
    }
    const statusSecret = connection.statusSecret;
    const counters = [addressCounter(request.ip), credentialCounter(`delivery-report:${name}@${addressGroup(request.ip)}`)];
    const accepted = await checkThenCount(app.db, counters, app.now(), async () =>
      sameSecret(secret, project.secret(statusSecret, `smsConnections/${name}/statusSecret`)) ? true : null,
    );
    if (!accepted) return reply.status(403).send({ error: `wrong secret for SMS connection "${name}"` });

    const body = parseBody(request.headers['content-type'], typeof request.body === 'string' ? request.body : '');
    if (!body.ok) return badRequest(reply, 'body', body.message);
    const parsed = reportSchema.safeParse(body.value);
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      return badRequest(reply, issue.path.join('.') || 'body', issue.message);
    }
    const report = { connection: name, providerMessageId: parsed.data.messageId, status: parsed.data.status, error: parsed.data.error };
    let recorded = await repository.recordDeliveryReport(app.db, report, app.now());
    if (!recorded) {
      await sleep(REPORT_GRACE_MS);
      recorded = await repository.recordDeliveryReport(app.db, report, app.now());
    }
    if (!recorded) return reply.status(404).send({ error: `no message with gateway message id "${report.providerMessageId}" on SMS connection "${name}"` });
    request.log.info({ messageId: recorded.id, status: recorded.status, changed: recorded.changed }, 'SMS delivery report');
    return { messageId: recorded.id, status: recorded.status, changed: recorded.changed };
  });
}

function badRequest(reply: FastifyReply, field: string, message: string) {
  return reply.status(400).send({ error: `invalid delivery report: ${field} ${message}`, field });
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

function parseBody(contentType: string | undefined, raw: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if ((contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(raw)) };
  }
  if (raw.trim() === '') return { ok: false, message: 'is empty: send JSON {"messageId", "status", "error"} or the same as a form' };
  try {
    const value: unknown = JSON.parse(raw);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'must be a JSON object' };
    return { ok: true, value };
  } catch {
    return { ok: false, message: 'is not JSON (or a form with content-type application/x-www-form-urlencoded)' };
  }
}
