// Admin API: GET /api/admin/customers/:id/scenario-runs — a guest's scenario run log, newest first.
import type { AdminRoutes } from '../admin/routes.ts';
import { scenarioRunsOfCustomer } from './engine.ts';

export const scenarioRunsRoutes: AdminRoutes = (admin, app) => {
  admin.get<{ Params: { id: string } }>('/api/admin/customers/:id/scenario-runs', async (request, reply) => {
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id) || id <= 0) return reply.status(400).send({ error: 'the customer id is a positive whole number' });
    const runs = await scenarioRunsOfCustomer(app.db, id);
    return {
      items: runs.map((run) => ({
        id: run.id,
        scenario: run.scenario,
        event: run.event_type,
        operation: run.operation,
        status: run.status,
        branch: run.branch,
        steps: run.steps,
        at: run.created_at,
      })),
    };
  });
};
