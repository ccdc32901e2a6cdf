// Admin API of orders: GET /api/admin/orders — orders newest first, by venue, dates, line status and guest,
// in keyset pages; GET /api/admin/orders/:id — an order with its lines, the points each spent and earned,
// and every status change.
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { adminRoute, type AdminRoutes } from '../http/admin-route.ts';
import { beforeCursor, nextCursor } from '../http/pagination.ts';
import { AppError } from '../shared/errors.ts';
import { fromNumeric, toDecimal } from '../shared/money.ts';
import { startOfLocalDay } from '../shared/time-zone.ts';
import { listOrders, orderDetails } from './orders.service.ts';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const DAY_MS = 86_400_000;

/** `executedAt~id` of the last order of a page. */
function readCursor(text: string): { executedAt: Date; id: number } | null {
  const [, at, id] = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)~(\d{1,15})$/.exec(text) ?? [];
  const executedAt = new Date(at);
  return at && !Number.isNaN(executedAt.getTime()) ? { executedAt, id: Number(id) } : null;
}

export const orderListQuery = z.object({
  pointOfContact: z.string().min(1).max(200).optional().describe('a venue'),
  from: isoDay.optional().describe('first day of execution (project time zone)'),
  to: isoDay.optional().describe('last day of execution, included'),
  status: z.string().min(1).max(100).optional().describe('orders with at least one line in this status, e.g. iikoPaid'),
  customerId: z.coerce.number().int().positive().optional(),
  before: beforeCursor(readCursor),
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
  executedAt: z.string().describe('when the order was rung up'),
  receivedAt: z.string().nullable().describe('when an offline order reached the server; null for an order created online'),
});

export const ordersRoutes: AdminRoutes<AppContext> = (admin, app) => {
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
      const rows = await listOrders(app.db, {
        pointOfContact: query.pointOfContact,
        customerId: query.customerId,
        lineStatus: query.status,
        from: query.from ? startOfLocalDay(query.from, timeZone) : undefined,
        to: query.to ? startOfLocalDay(dayAfter(query.to), timeZone) : undefined,
        before: query.before,
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
        receivedAt: row.received_at?.toISOString() ?? null,
      }));
      return { items, next: nextCursor(rows, query.limit, (last) => `${last.executed_at.toISOString()}~${last.id}`) };
    },
  );

  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/orders/:id',
      summary: 'An order: lines, points spent and earned per line, status history',
      tag: 'Orders',
      params: z.object({ id: z.coerce.number().int().positive() }),
    },
    async ({ params }) => {
      const order = await orderDetails(app.db, app.project.current, params.id);
      if (!order) throw new AppError('not_found', `there is no order ${params.id}`);
      return order;
    },
  );
};
