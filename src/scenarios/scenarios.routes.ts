// Admin API: GET /api/admin/customers/:id/scenario-runs — a guest's scenario run log, newest first. The run
// as the console shows it (here and with each scenario in the project routes) is `scenarioRun`.
import { z } from 'zod';
import { adminRoute, httpError } from '../admin/api.ts';
import { getCustomerById } from '../customers/customers.service.ts';
import type { AdminRoutes } from '../admin/routes.ts';
import { scenarioRunsOfCustomer } from './engine.ts';

export const scenarioRun = z.object({
  id: z.number(),
  customerId: z.number().nullable(),
  scenario: z.string(),
  event: z.string(),
  operation: z.string().nullable(),
  status: z.enum(['running', 'completed', 'noBranchMatched', 'failed', 'retrying', 'parked']),
  branch: z.string().nullable(),
  steps: z.array(z.object({ type: z.string(), status: z.string(), detail: z.string().optional() })).describe('each step with its result'),
  at: z.string(),
});

type ScenarioRunRow = Awaited<ReturnType<typeof scenarioRunsOfCustomer>>[number];

export const scenarioRunAnswer = (run: ScenarioRunRow): z.output<typeof scenarioRun> => ({
  id: run.id,
  customerId: run.customer_id,
  scenario: run.scenario,
  event: run.event_type,
  operation: run.operation,
  status: run.status,
  branch: run.branch,
  steps: run.steps,
  at: new Date(run.created_at).toISOString(),
});

export const scenarioRunsRoutes: AdminRoutes = (admin, app) => {
  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/customers/:id/scenario-runs',
      tag: 'Guests',
      summary: "A guest's last 50 scenario runs, newest first: the event, the branch, each step with its result",
      params: z.object({ id: z.coerce.number().int().positive() }),
      response: z.object({ items: z.array(scenarioRun) }),
    },
    async ({ params }) => {
      if (!(await getCustomerById(app.db, params.id))) throw httpError(404, `there is no guest ${params.id}`);
      return { items: (await scenarioRunsOfCustomer(app.db, params.id)).map(scenarioRunAnswer) };
    },
  );
};
