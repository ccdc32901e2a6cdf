// Admin API for the project configuration: read every entity, export it as a file, see what a new
// file would change (a dry run), apply it (owners only). (Segments with their sizes and scenarios with their
// runs: the segments and scenarios modules' routes.)
import { z } from 'zod';
import YAML from 'yaml';
import type { AppContext } from '../app-context.ts';
import { adminRoute, type AdminRoutes } from '../http/admin-route.ts';
import { AppError } from '../shared/errors.ts';
import { applyProject, exportProject, planProject } from './project.service.ts';

export const projectFileBody = z
  .object({ content: z.string().min(1).max(5_000_000).describe('the project file as text: YAML or JSON') })
  .strict();

function parseProjectFile(content: string): unknown {
  try {
    return YAML.parse(content);
  } catch (error) {
    throw new AppError('bad_request', `the file is neither YAML nor JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}

const problemList = z.array(z.object({ path: z.string(), message: z.string() }));

export const projectRoutes: AdminRoutes<AppContext> = (admin, app) => {
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
    async ({ body, principal, request }) => {
      const report = await applyProject(app.db, parseProjectFile(body.content), { secrets: app.project.secrets });
      await app.project.reload();
      request.log.info({ by: principal.name, created: report.created, changed: report.changed, version: report.version }, 'project applied from the admin console');
      return report;
    },
  );
};
