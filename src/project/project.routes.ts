// Admin API for the project configuration: read every entity, export it as a file, see what a new
// file would change (a dry run), apply it. (Segments with their sizes and scenarios with their
// runs: the segments and scenarios modules' routes.)
import { z } from 'zod';
import YAML from 'yaml';
import type { AppContext } from '../app-context.ts';
import type { AdminRole } from '../db/schema.ts';
import { adminRoute, type AdminRoutes } from '../http/admin-route.ts';
import { PROJECT_FILE_LIMIT_BYTES, readProjectFile } from './project-file.ts';
import { applyProject, exportProject, planProject } from './project.service.ts';

/** Who may change the project, and so plan a change (reading a file is the heavy part of either). */
const PROJECT_CHANGE_ROLE: AdminRole = 'owner';

export const projectFileBody = z
  .object({ content: z.string().min(1).describe(`the project file as text: YAML or JSON, at most ${PROJECT_FILE_LIMIT_BYTES / 1024 / 1024} MB`) })
  .strict();

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
      description: 'Nothing is written. Entities the file does not mention stay as they are. 413 for a file over 1 MB.',
      body: projectFileBody,
      role: PROJECT_CHANGE_ROLE,
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
    async ({ body }) => planProject(app.db, await readProjectFile(body.content), { secrets: app.project.secrets }),
  );

  adminRoute(
    admin,
    {
      method: 'POST',
      url: '/api/admin/project/apply',
      tag: 'Project',
      summary: 'Apply a project file',
      description: 'Validated whole, then written in one transaction; a file with problems changes nothing (400 with the problems). 413 for a file over 1 MB.',
      body: projectFileBody,
      role: PROJECT_CHANGE_ROLE,
      response: z.object({ created: z.array(z.string()), changed: z.array(z.string()), unchanged: z.array(z.string()), version: z.number() }),
    },
    async ({ body, principal, request }) => {
      const report = await applyProject(app.db, await readProjectFile(body.content), { secrets: app.project.secrets });
      await app.project.reload();
      request.log.info({ by: principal.name, created: report.created, changed: report.changed, version: report.version }, 'project applied from the admin console');
      return report;
    },
  );
};
