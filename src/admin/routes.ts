// The admin API under /api/admin (admin token or a console session; see auth.ts). Each module adds its routes in its own file and
// one line to `moduleRoutes`.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { secureAdminScope } from './auth.ts';
import { loyaltyRoutes } from '../loyalty/loyalty.routes.ts';
import { ordersRoutes } from '../orders/orders.routes.ts';
import { catalogRoutes } from '../catalog/catalog.routes.ts';
import { consoleRoutes } from './console.routes.ts';
import { scenarioRunsRoutes } from '../scenarios/scenarios.routes.ts';
import { segmentsRoutes } from '../segments/segments.routes.ts';

export type AdminRoutes = (admin: FastifyInstance, app: AppContext) => void | Promise<void>;

const moduleRoutes: AdminRoutes[] = [consoleRoutes, scenarioRunsRoutes, segmentsRoutes, loyaltyRoutes, ordersRoutes, catalogRoutes];

export async function registerAdminRoutes(server: FastifyInstance, app: AppContext): Promise<void> {
  await server.register(async (admin) => {
    secureAdminScope(admin, app);
    for (const routes of moduleRoutes) await routes(admin, app);
  });
}
