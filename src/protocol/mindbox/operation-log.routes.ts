// Admin API for the operations log: calls newest first with filters, and one call with its request and answer
// (phones and codes were masked before they were stored).
import { z } from 'zod';
import type { AppContext } from '../../app-context.ts';
import { adminRoute, type AdminRoutes } from '../../http/admin-route.ts';
import { beforeCursor, idCursor, nextCursor } from '../../http/pagination.ts';
import { AppError } from '../../shared/errors.ts';
import { getOperationLogEntry, queryOperationLog } from './protocol.service.ts';

export const operationLogQuery = z.object({
  operation: z.string().optional(),
  status: z.string().optional(),
  integrationPoint: z.string().optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  before: beforeCursor(idCursor),
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

export const operationLogRoutes: AdminRoutes<AppContext> = (admin, app) => {
  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/operation-log',
      tag: 'Operations log',
      summary: 'Protocol calls, newest first',
      description: 'Filter by operation, status (Success, ValidationError, ProtocolError, …), integration point and time [from, to).',
      query: operationLogQuery,
      response: z.object({ items: z.array(entry), next: z.string().nullable() }),
    },
    async ({ query: { before, ...filters } }) => {
      const items = await queryOperationLog(app, { ...filters, beforeId: before });
      return { items, next: nextCursor(items, filters.limit, (last) => String(last.id)) };
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
      if (!found) throw new AppError('not_found', `no log entry ${params.id}`);
      return found;
    },
  );
};
