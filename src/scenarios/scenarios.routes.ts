// Admin API of the scenarios: GET /api/admin/scenarios — every scenario of the project with its recent runs;
// GET /api/admin/customers/:id/scenario-runs — a guest's scenario run log, newest first. Both show a run as
// `scenarioRun`.
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { getCustomerById } from '../customers/customers.service.ts';
import { adminRoute, type AdminRoutes } from '../http/admin-route.ts';
import { scenarioSchema } from '../project/schemas.ts';
import { AppError } from '../shared/errors.ts';
import { recentRunsOfScenario, scenarioRunsOfCustomer } from './engine.ts';

const scenarioRun = z.object({
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

const scenarioRunAnswer = (run: ScenarioRunRow): z.output<typeof scenarioRun> => ({
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

export const scenariosRoutes: AdminRoutes<AppContext> = (admin, app) => {
  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/scenarios',
      tag: 'Project',
      summary: 'Scenarios with their recent runs',
      query: z.object({ runs: z.coerce.number().int().min(0).max(100).default(10) }),
      response: z.object({ items: z.array(scenarioSchema.and(z.object({ recentRuns: z.array(scenarioRun) }))) }),
    },
    async ({ query }) => {
      const scenarios = app.project.current.definition.scenarios;
      const runs = await Promise.all(scenarios.map((scenario) => query.runs === 0 ? Promise.resolve([]) : recentRunsOfScenario(app.db, scenario.systemName, query.runs)));
      return {
        items: scenarios.map((scenario, index) => ({
          ...app.project.secrets.redact('scenarios', scenario),
          recentRuns: runs[index].map(scenarioRunAnswer),
        })),
      };
    },
  );

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
      if (!(await getCustomerById(app.db, params.id))) throw new AppError('not_found', `there is no guest ${params.id}`);
      return { items: (await scenarioRunsOfCustomer(app.db, params.id)).map(scenarioRunAnswer) };
    },
  );
};
