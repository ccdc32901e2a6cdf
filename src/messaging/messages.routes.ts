// Admin API: GET /api/admin/messages?phone=&status=&customerId=&limit= — stored SMS, newest first, with
// their texts; phones are masked unless the list is filtered by phone.
import { z } from 'zod';
import type { AdminRoutes } from '../admin/routes.ts';
import { normalizePhone } from '../customers/phone.ts';
import { listMessages } from './mailings.service.ts';

const messagesQuery = z.object({
  phone: z.string().optional(),
  status: z.enum(['queued', 'sending', 'sent', 'delivered', 'failed']).optional(),
  customerId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const messagesRoutes: AdminRoutes = (admin, app) => {
  admin.get('/api/admin/messages', async (request, reply) => {
    const parsed = messagesQuery.safeParse(request.query);
    if (!parsed.success) return reply.status(400).send({ error: 'invalid query', issues: parsed.error.issues });
    const phone = parsed.data.phone === undefined ? undefined : normalizePhone(parsed.data.phone);
    if (phone === null) return reply.status(400).send({ error: 'phone is not a mobile phone number' });
    return { items: await listMessages(app.db, { ...parsed.data, phone }) };
  });
};
