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
import { authenticatedGatewayCall, gatewayBody } from './gateway-calls.ts';
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
    const name = await authenticatedGatewayCall(app, request, reply, 'delivery report');
    if (name === null) return reply;
    const body = gatewayBody(request, '{"messageId", "status", "error"}');
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
