// Admin API for the project configuration: read every entity, export it as a file, see what a new
// file would change (a dry run), apply it, and its versions: each applied change, the project as it was, a
// restore. (Segments with their sizes and scenarios with their runs: the segments and scenarios modules' routes;
// a simulation of a proposed file: src/simulation.)
import { z } from 'zod';
import YAML from 'yaml';
import type { AppContext } from '../app-context.ts';
import { adminRoute, type AdminPrincipal, type AdminRoutes } from '../http/admin-route.ts';
import { beforeCursor, idCursor, nextCursor } from '../http/pagination.ts';
import { AppError } from '../shared/errors.ts';
import { changeRightOf } from './change-scope.ts';
import { PROJECT_FILE_LIMIT_BYTES, readProjectFile } from './project-file.ts';
import { applyProject, exportProject, listProjectVersions, planProject, projectVersion, restoreProjectVersion, type VersionAuthor } from './project.service.ts';

/** A console user by name, or the admin token (a script, or a session the token opened). */
export function authorOf(principal: AdminPrincipal): VersionAuthor {
  return principal.via === 'token' ? { via: 'token', by: null } : { via: 'console', by: principal.name };
}

const WHO_MAY_CHANGE =
  'An owner changes anything; a marketer changes the loyalty program (promotions, coupon pools, segments, SMS texts, marketing scenarios, a balance type\'s rules) and is refused with 403, listing each change of the installation at its `/kind/key`, when the file changes anything else (docs/decisions/0019-project-versions-and-simulation.md).';

export const projectFileBody = z
  .object({ content: z.string().min(1).describe(`the project file as text: YAML or JSON, at most ${PROJECT_FILE_LIMIT_BYTES / 1024 / 1024} MB`) })
  .strict();

const problemList = z.array(z.object({ path: z.string(), message: z.string() }));

const changeStatus = z.enum(['created', 'changed', 'unchanged', 'removed']);
const plannedChange = z.object({
  id: z.string(),
  kind: z.string(),
  key: z.string(),
  status: changeStatus,
  scope: z.enum(['program', 'installation']).describe('program: a marketer may make it; installation: an owner'),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable().describe('null: removed'),
});
export const planResponse = z.union([
  z.object({
    ok: z.literal(true),
    created: z.array(z.string()),
    changed: z.array(z.string()),
    unchanged: z.array(z.string()),
    removed: z.array(z.string()).describe('only a restore removes: what the version did not have'),
    changes: z.array(plannedChange),
  }),
  z.object({ ok: z.literal(false), problems: problemList }),
]);
const applyReport = z.object({ created: z.array(z.string()), changed: z.array(z.string()), unchanged: z.array(z.string()), removed: z.array(z.string()), version: z.number() });
const versionHead = {
  version: z.number(),
  appliedAt: z.string().describe('ISO date and time'),
  appliedVia: z.enum(['console', 'token', 'cli', 'preset', 'upgrade', 'unrecorded']).describe('unrecorded: the version an installation ran when its history began'),
  appliedBy: z.string().nullable().describe('the console user, or user@host on the command line'),
  restoredFrom: z.number().nullable(),
};
const VERSIONS_PAGE = 50;
const versionNumber = z.coerce.number().int().positive();

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
      description: `Nothing is written. Entities the file does not mention stay as they are; each change says whether it is the program's or the installation's. 413 for a file over 1 MB. ${WHO_MAY_CHANGE}`,
      body: projectFileBody,
      response: planResponse,
    },
    async ({ body, principal }) => planProject(app.db, await readProjectFile(body.content), { secrets: app.project.secrets, right: changeRightOf(principal.role) }),
  );

  adminRoute(
    admin,
    {
      method: 'POST',
      url: '/api/admin/project/apply',
      tag: 'Project',
      summary: 'Apply a project file',
      description: `Validated whole, then written in one transaction as a new version (who, when, what changed: GET /api/admin/project/versions); a file with problems changes nothing (400 with the problems). 413 for a file over 1 MB. ${WHO_MAY_CHANGE}`,
      body: projectFileBody,
      response: applyReport,
    },
    async ({ body, principal, request }) => {
      const report = await applyProject(app.db, await readProjectFile(body.content), {
        secrets: app.project.secrets,
        right: changeRightOf(principal.role),
        author: authorOf(principal),
      });
      await app.project.reload();
      request.log.info({ by: principal.name, created: report.created, changed: report.changed, version: report.version }, 'project applied from the admin console');
      return report;
    },
  );

  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/project/versions',
      tag: 'Project',
      summary: 'Every applied change of the project, newest first',
      description: 'Who applied each version, when, how (console, admin token, command line, the preset at the first start, the start-up upgrade) and what it changed by id. An installation upgraded to 0.3 begins with the version it ran then (`unrecorded`).',
      query: z.object({ before: beforeCursor(idCursor) }),
      response: z.object({
        items: z.array(z.object({ ...versionHead, changes: z.array(z.object({ id: z.string(), status: changeStatus })).nullable().describe('null: not known (the first version of an upgraded installation)') })),
        next: z.string().nullable(),
      }),
    },
    async ({ query }) => {
      const versions = await listProjectVersions(app.db, { before: query.before, limit: VERSIONS_PAGE });
      return {
        items: versions.map((version) => ({ ...version, appliedAt: version.appliedAt.toISOString() })),
        next: nextCursor(versions, VERSIONS_PAGE, (last) => String(last.version)),
      };
    },
  );

  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/project/versions/:version',
      tag: 'Project',
      summary: 'The whole project as it was at a version, and what that version changed',
      description: 'Secrets show as `{ secret: stored }`, as in the project itself.',
      params: z.object({ version: versionNumber }),
      response: z.object({ ...versionHead, project: z.record(z.string(), z.unknown()), changes: z.array(plannedChange).nullable() }),
    },
    async ({ params }) => {
      const version = await projectVersion(app.db, params.version, app.project.secrets);
      if (!version) throw new AppError('not_found', `the project has no version ${params.version}`);
      return { ...version, appliedAt: version.appliedAt.toISOString() };
    },
  );

  adminRoute(
    admin,
    {
      method: 'POST',
      url: '/api/admin/project/versions/:version/restore',
      tag: 'Project',
      summary: 'Apply an earlier version as a new one',
      description:
        'The project becomes exactly what it was at that version: validated and written in one transaction like any apply, entities the version did not have removed, its secrets as it kept them. With `dryRun: true` it answers the plan (what would be created, changed and removed) and writes nothing.',
      params: z.object({ version: versionNumber }),
      body: z.object({ dryRun: z.boolean().default(false) }).strict(),
      role: 'owner',
      response: z.union([z.object({ dryRun: z.literal(true), plan: planResponse.options[0] }), z.object({ dryRun: z.literal(false), report: applyReport })]),
    },
    async ({ params, body, principal, request }) => {
      const result = await restoreProjectVersion(app.db, params.version, { secrets: app.project.secrets, author: authorOf(principal), dryRun: body.dryRun });
      if (!result.dryRun) {
        await app.project.reload();
        request.log.info({ by: principal.name, restored: params.version, version: result.report.version }, 'project version restored from the admin console');
      }
      return result;
    },
  );
};
