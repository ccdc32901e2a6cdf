// Admin API: GET /api/admin/orders — orders newest first, by venue, dates, line status and guest, in keyset
// pages. (One order with its lines and history is the orders module's GET /api/admin/orders/:id.)
import { z } from 'zod';
import { listOrders } from '../orders/orders.service.ts';
import { fromNumeric, toDecimal } from '../shared/money.ts';
import { startOfLocalDay } from '../shared/time-zone.ts';
import { adminRoute, httpError } from './api.ts';
import type { AdminRoutes } from './routes.ts';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const DAY_MS = 86_400_000;

export const orderListQuery = z.object({
  pointOfContact: z.string().min(1).max(200).optional().describe('a venue'),
  from: isoDay.optional().describe('first day of execution (project time zone)'),
  to: isoDay.optional().describe('last day of execution, included'),
  status: z.string().min(1).max(100).optional().describe('orders with at least one line in this status, e.g. iikoPaid'),
  customerId: z.coerce.number().int().positive().optional(),
  before: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z~\d+$/, 'the `next` cursor of the previous page')
    .optional()
    .describe('keyset cursor: `next` of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const orderRow = z.object({
  id: z.number(),
  ids: z.record(z.string(), z.string()),
  kind: z.string(),
  customerId: z.number().nullable(),
  pointOfContact: z.string().nullable(),
  totalPrice: z.number(),
  statuses: z.array(z.string()),
  executedAt: z.string(),
});

export const ordersListRoutes: AdminRoutes = (admin, app) => {
  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/orders',
      tag: 'Orders',
      summary: 'Orders, newest first, with filters',
      query: orderListQuery,
      response: z.object({ items: z.array(orderRow), next: z.string().nullable() }),
    },
    async ({ query }) => {
      const timeZone = app.project.current.settings.timeZone;
      const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
      let before: { executedAt: Date; id: number } | undefined;
      if (query.before) {
        const [at, id] = query.before.split('~');
        before = { executedAt: new Date(at), id: Number(id) };
        if (Number.isNaN(before.executedAt.getTime())) throw httpError(400, 'invalid query', [{ path: '/before', message: 'the `next` cursor of the previous page' }]);
      }
      const rows = await listOrders(app.db, {
        pointOfContact: query.pointOfContact,
        customerId: query.customerId,
        lineStatus: query.status,
        from: query.from ? startOfLocalDay(query.from, timeZone) : undefined,
        to: query.to ? startOfLocalDay(dayAfter(query.to), timeZone) : undefined,
        before,
        limit: query.limit,
      });
      const items = rows.map((row) => ({
        id: row.id,
        ids: row.ids ?? {},
        kind: row.kind,
        customerId: row.customer_id,
        pointOfContact: row.point_of_contact,
        totalPrice: toDecimal(fromNumeric(row.total_price)),
        statuses: row.statuses ?? [],
        executedAt: row.executed_at.toISOString(),
      }));
      const last = rows[rows.length - 1];
      return { items, next: rows.length === query.limit ? `${last.executed_at.toISOString()}~${last.id}` : null };
    },
  );
};
