// POST /api/sms/:connection/incoming — the texts guests send back, posted by an HTTP SMS gateway (decision 0020).
//
// Authenticated as its delivery reports are (gateway-calls.ts: the connection's statusSecret as a Bearer token or
// the Basic password). The body, JSON or a form: `{"from": "79001234567", "text": "STOP"}`. A text that reads STOP
// or СТОП (any case, spaces around it) unsubscribes the guests with that number from marketing SMS, recorded with
// the connection as its source; anything else is answered and not read. 200 with what was done, 400 naming a bad
// field. The gateway may post the same reply again: a guest unsubscribed already changes nothing.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { authenticatedGatewayCall, gatewayBody } from './gateway-calls.ts';
import { receiveIncomingSms } from './incoming-sms.ts';

const asText = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : value);

const incomingSchema = z.object({
  from: z.preprocess(
    asText,
    z
      .string({ error: (issue) => (issue.input === undefined ? "is required: the guest's number" : 'must be a text or a number') })
      .trim()
      .min(1, 'must not be empty')
      .max(50, 'has at most 50 characters'),
  ),
  text: z.string({ error: (issue) => (issue.input === undefined ? 'is required: what the guest wrote' : 'must be a text') }).max(2000, 'has at most 2000 characters'),
});

export function registerIncomingSmsRoutes(server: FastifyInstance, app: AppContext): void {
  server.post<{ Params: { connection: string } }>('/api/sms/:connection/incoming', async (request, reply) => {
    const name = await authenticatedGatewayCall(app, request, reply, 'reply');
    if (name === null) return reply;
    const body = gatewayBody(request, '{"from", "text"}');
    if (!body.ok) return reply.status(400).send({ error: `invalid incoming SMS: body ${body.message}`, field: 'body' });
    const parsed = incomingSchema.safeParse(body.value);
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      const field = issue.path.join('.') || 'body';
      return reply.status(400).send({ error: `invalid incoming SMS: ${field} ${issue.message}`, field });
    }
    return receiveIncomingSms(app, name, parsed.data);
  });
}
