// Admin API of the work queues: the parked work (outbox jobs and async protocol calls that used up their
// attempts), newest parked first, and putting it back in its queue, one by one or all at once. Anyone signed
// in may read; an owner or a marketer may retry.
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { adminRoute, type AdminRoutes } from '../http/admin-route.ts';
import { beforeCursor } from '../http/pagination.ts';
import { AppError } from '../shared/errors.ts';
import type { JobCatalogue } from './catalogue.ts';
import { pageOfParkedWork, parkedWorkIdOf, parkedWorkIdText, retryAllParkedWork, retryParkedWork, type ParkedWorkCursor } from './parked-work.ts';

const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)~(.+)$/;

/** `parkedAt~id`: when the page's last item was parked, to the microsecond, and its id. */
const cursorText = (cursor: ParkedWorkCursor) => `${cursor.parkedAt}~${parkedWorkIdText(cursor.id)}`;

function readCursor(text: string): ParkedWorkCursor | null {
  const [, parkedAt, idText] = CURSOR.exec(text) ?? [];
  const id = idText ? parkedWorkIdOf(idText) : null;
  return id && !Number.isNaN(Date.parse(parkedAt)) ? { parkedAt, id } : null;
}

export const parkedWorkQuery = z.object({
  status: z.literal('parked').default('parked').describe('only parked work is listed: what is pending or done shows in its own module (SMS log, scenario runs, operations log)'),
  before: beforeCursor(readCursor),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const parkedWorkParams = z.object({
  id: z
    .string()
    .max(60)
    .transform((text, context) => parkedWorkIdOf(text) ?? (context.addIssue({ code: 'custom', message: 'not an id of parked work (job-<number> or call-<uuid>)' }), z.NEVER))
    .describe('`job-<id>` for an outbox job, `call-<uuid>` for an async protocol call'),
});

const parkedWork = z.object({
  id: z.string().describe('`job-<id>` or `call-<uuid>`'),
  queue: z.enum(['job', 'call']).describe('an outbox job, or an async protocol call'),
  topic: z.string().describe("the job's topic (sms.send, event, scenarios.webhook), or the call's operation"),
  what: z.string().describe('what the work was for; never a phone or a code'),
  lastError: z.string().nullable().describe('why the last attempt failed; phones and codes masked'),
  attempts: z.number(),
  queuedAt: z.string(),
  parkedAt: z.string(),
});

/** The routes of the parked work; `catalogue` says what each job was for. */
export const jobsRoutes =
  (catalogue: JobCatalogue): AdminRoutes<AppContext> =>
  (admin, app) => {
    adminRoute(
      admin,
      {
        method: 'GET',
        url: '/api/admin/jobs',
        tag: 'Jobs',
        summary: 'Parked work: jobs and async calls that used up their attempts, newest parked first',
        description: 'An SMS the gateway kept refusing, a scenario step that kept failing, a webhook that kept failing, an async call that kept failing: what, why, how often and when.',
        query: parkedWorkQuery,
        response: z.object({ items: z.array(parkedWork), next: z.string().nullable() }),
      },
      async ({ query }) => {
        const page = await pageOfParkedWork(app.db, { before: query.before, limit: query.limit }, catalogue);
        return {
          items: page.items.map((item) => ({ ...item, id: parkedWorkIdText(item.id), queue: item.id.queue })),
          next: page.next && cursorText(page.next),
        };
      },
    );

    adminRoute(
      admin,
      {
        method: 'POST',
        url: '/api/admin/jobs/:id/retry',
        tag: 'Jobs',
        summary: 'Put one piece of parked work back in its queue, due at once with its attempts anew',
        params: parkedWorkParams,
        response: z.object({ retried: z.literal(true) }),
      },
      async ({ params, principal }) => {
        if (!(await retryParkedWork(app.db, params.id))) throw new AppError('not_found', `${parkedWorkIdText(params.id)} is not parked`);
        app.logger.info({ work: parkedWorkIdText(params.id), by: principal.name }, 'parked work retried');
        return { retried: true };
      },
    );

    adminRoute(
      admin,
      {
        method: 'POST',
        url: '/api/admin/jobs/retry',
        tag: 'Jobs',
        summary: 'Put all parked work back in its queues',
        response: z.object({ retried: z.number().describe('how many jobs and calls were parked') }),
      },
      async ({ principal }) => {
        const retried = await retryAllParkedWork(app.db);
        app.logger.info({ retried, by: principal.name }, 'all parked work retried');
        return { retried };
      },
    );
  };
