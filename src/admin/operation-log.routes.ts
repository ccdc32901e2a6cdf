// Admin API for the operations log: one call with its request and answer (phones and codes were masked
// before they were stored). The list itself is GET /api/admin/operation-log (routes.ts).
import { z } from 'zod';
import { getOperationLogEntry } from '../protocol/protocol.repository.ts';
import { adminRoute, describeRoute, httpError } from './api.ts';
import { operationLogQuery, type AdminRoutes } from './routes.ts';

const entry = z.object({
  id: z.number(),
  at: z.string(),
  integration_point: z.string().nullable(),
  operation: z.string().nullable(),
  mode: z.string(),
  status: z.string(),
  http_status: z.number(),
  duration_ms: z.number(),
  transaction_id: z.string().nullable(),
  request_id: z.string(),
  error_id: z.string().nullable(),
  request: z.unknown(),
  response: z.unknown(),
  notes: z.unknown(),
});

export const operationLogRoutes: AdminRoutes = (admin, app) => {
  describeRoute({
    method: 'GET',
    url: '/api/admin/operation-log',
    tag: 'Operations log',
    summary: 'Protocol calls, newest first',
    description: 'Filter by operation, status (Success, ValidationError, ProtocolError, …), integration point and time [from, to). Pages by `beforeId`.',
    query: operationLogQuery,
    response: z.object({ items: z.array(entry), nextBeforeId: z.number().nullable() }),
  });

  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/operation-log/:id',
      tag: 'Operations log',
      summary: 'One protocol call with its request and answer',
      params: z.object({ id: z.coerce.number().int().positive() }),
      response: entry,
    },
    async ({ params }) => {
      const found = await getOperationLogEntry(app.db, params.id);
      if (!found) throw httpError(404, `no log entry ${params.id}`);
      return found;
    },
  );
};
