// Admin API for the operations log: calls newest first with filters, and one call with its request and answer
// (phones and codes were masked before they were stored).
import { z } from 'zod';
import { getOperationLogEntry, queryOperationLog } from '../protocol/mindbox/protocol.service.ts';
import { adminRoute, httpError } from './api.ts';
import type { AdminRoutes } from './routes.ts';

export const operationLogQuery = z.object({
  operation: z.string().optional(),
  status: z.string().optional(),
  integrationPoint: z.string().optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  beforeId: z.coerce.number().int().positive().optional().describe('keyset: the last id of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

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
  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/operation-log',
      tag: 'Operations log',
      summary: 'Protocol calls, newest first',
      description: 'Filter by operation, status (Success, ValidationError, ProtocolError, …), integration point and time [from, to). Pages by `beforeId`.',
      query: operationLogQuery,
      response: z.object({ items: z.array(entry), nextBeforeId: z.number().nullable() }),
    },
    async ({ query }) => {
      const items = await queryOperationLog(app, query);
      return { items, nextBeforeId: items.length === query.limit ? items[items.length - 1].id : null };
    },
  );

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
      const found = await getOperationLogEntry(app, params.id);
      if (!found) throw httpError(404, `no log entry ${params.id}`);
      return found;
    },
  );
};
