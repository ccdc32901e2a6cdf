// The admin API under /api/admin (admin token or a console session; see auth.ts). Each module adds its routes in its own file and
// one line to `moduleRoutes`.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { exportProject } from '../project/project.service.ts';
import { queryOperationLog } from '../protocol/protocol.repository.ts';
import { secureAdminScope } from './auth.ts';
import { loyaltyRoutes } from '../loyalty/loyalty.routes.ts';
import { ordersRoutes } from '../orders/orders.routes.ts';
import { catalogRoutes } from '../catalog/catalog.routes.ts';
import { consoleRoutes } from './console.routes.ts';
import { scenarioRunsRoutes } from '../scenarios/scenarios.routes.ts';
import { segmentsRoutes } from '../segments/segments.routes.ts';

export type AdminRoutes = (admin: FastifyInstance, app: AppContext) => void | Promise<void>;

export const operationLogQuery = z.object({
  operation: z.string().optional(),
  status: z.string().optional(),
  integrationPoint: z.string().optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  beforeId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const coreRoutes: AdminRoutes = (admin, app) => {
  admin.get('/api/admin/project', async () => exportProject(app.db));

  admin.get('/api/admin/operation-log', async (request, reply) => {
    const parsed = operationLogQuery.safeParse(request.query);
    if (!parsed.success) return reply.status(400).send({ error: 'invalid query', issues: parsed.error.issues });
    const items = await queryOperationLog(app.db, parsed.data);
    return { items, nextBeforeId: items.length === parsed.data.limit ? items[items.length - 1].id : null };
  });
};

const moduleRoutes: AdminRoutes[] = [coreRoutes, consoleRoutes, scenarioRunsRoutes, segmentsRoutes, loyaltyRoutes, ordersRoutes, catalogRoutes];

export async function registerAdminRoutes(server: FastifyInstance, app: AppContext): Promise<void> {
  await server.register(async (admin) => {
    secureAdminScope(admin, app);
    for (const routes of moduleRoutes) await routes(admin, app);
  });
}
