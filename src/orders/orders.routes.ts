// Admin API of orders: GET /api/admin/orders/:id — an order with its lines, the points each spent and
// earned, and every status change.
import { z } from 'zod';
import { adminRoute, httpError } from '../admin/api.ts';
import type { AdminRoutes } from '../admin/routes.ts';
import { orderDetails } from './orders.service.ts';

export const ordersRoutes: AdminRoutes = (admin, app) => {
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
      if (!order) throw httpError(404, `there is no order ${params.id}`);
      return order;
    },
  );
};
