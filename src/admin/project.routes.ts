// Admin API for the project configuration: read every entity, export it as a file, see what a new
// file would change (a dry run), apply it (owners only); scenarios with their recent runs. (Segments with
// their sizes: the segments module's routes.)
import { z } from 'zod';
import YAML from 'yaml';
import { applyProject, exportProject, planProject, ProjectValidationError } from '../project/project.service.ts';
import { recentRunsOfScenario } from '../scenarios/engine.ts';
import { scenarioSchema } from '../project/schemas.ts';
import { scenarioRun, scenarioRunAnswer } from '../scenarios/scenarios.routes.ts';
import { adminRoute, httpError } from './api.ts';
import type { AdminRoutes } from './routes.ts';

export const projectFileBody = z
  .object({ content: z.string().min(1).max(5_000_000).describe('the project file as text: YAML or JSON') })
  .strict();

function parseProjectFile(content: string): unknown {
  try {
    return YAML.parse(content);
  } catch (error) {
    throw httpError(400, `the file is neither YAML nor JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}

const problemList = z.array(z.object({ path: z.string(), message: z.string() }));

export const projectRoutes: AdminRoutes = (admin, app) => {
  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/project',
      tag: 'Project',
      summary: 'Every entity of the project configuration',
      description: 'The project as JSON, in the format of the project file.',
    },
    async () => exportProject(app.db, app.project.secrets),
  );

  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/project/export',
      tag: 'Project',
      summary: 'Download the project file',
      description: 'The same text `regulars export` prints; applying it to an empty database reproduces the configuration.',
      query: z.object({ format: z.enum(['yaml', 'json']).default('yaml') }),
    },
    async ({ query, reply }) => {
      const project = await exportProject(app.db, app.project.secrets);
      const text = query.format === 'json' ? `${JSON.stringify(project, null, 2)}\n` : YAML.stringify(project);
      return reply
        .type(query.format === 'json' ? 'application/json; charset=utf-8' : 'application/yaml; charset=utf-8')
        .header('content-disposition', `attachment; filename="regulars-project.${query.format === 'json' ? 'json' : 'yaml'}"`)
        .send(text);
    },
  );

  adminRoute(
    admin,
    {
      method: 'POST',
      url: '/api/admin/project/plan',
      tag: 'Project',
      summary: 'What applying a project file would change (dry run)',
      description: 'Nothing is written. Entities the file does not mention stay as they are.',
      body: projectFileBody,
      role: 'viewer',
      response: z.union([
        z.object({
          ok: z.literal(true),
          created: z.array(z.string()),
          changed: z.array(z.string()),
          unchanged: z.array(z.string()),
          changes: z.array(z.object({ id: z.string(), kind: z.string(), key: z.string(), status: z.enum(['created', 'changed', 'unchanged']), before: z.unknown(), after: z.unknown() })),
        }),
        z.object({ ok: z.literal(false), problems: problemList }),
      ]),
    },
    async ({ body }) => planProject(app.db, parseProjectFile(body.content), { secrets: app.project.secrets }),
  );

  adminRoute(
    admin,
    {
      method: 'POST',
      url: '/api/admin/project/apply',
      tag: 'Project',
      summary: 'Apply a project file',
      description: 'Validated whole, then written in one transaction; a file with problems changes nothing (400 with the problems).',
      body: projectFileBody,
      role: 'owner',
      response: z.object({ created: z.array(z.string()), changed: z.array(z.string()), unchanged: z.array(z.string()), version: z.number() }),
    },
    async ({ body, request }) => {
      try {
        const report = await applyProject(app.db, parseProjectFile(body.content), { secrets: app.project.secrets });
        await app.project.reload();
        request.log.info({ by: request.adminPrincipal?.name, created: report.created, changed: report.changed, version: report.version }, 'project applied from the admin console');
        return report;
      } catch (error) {
        if (error instanceof ProjectValidationError) throw httpError(400, 'the project file has problems; nothing was applied', error.problems);
        throw error;
      }
    },
  );

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
};
