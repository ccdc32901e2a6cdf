// Admin API of the segments module: the segments with their sizes and the last full recalculation, the
// recalculation history, and a recalculation on demand.
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { adminRoute, type AdminRoutes } from '../http/admin-route.ts';
import { definitionsHash } from './schedule.ts';
import { recalculateAllSegments, recentRecalculations, segmentOverview } from './segments.service.ts';

const reason = z.enum(['daily', 'definitions', 'manual']);

const recalculation = z.object({
  id: z.number(),
  reason,
  localDay: z.string().describe('the day it ran, in the project time zone'),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  entered: z.number().nullable(),
  left: z.number().nullable(),
  durationMs: z.number().nullable(),
});

type Recalculation = Awaited<ReturnType<typeof recentRecalculations>>[number];

const recalculationAnswer = ({ definitionsHash: _, ...run }: Recalculation): z.output<typeof recalculation> => ({
  ...run,
  startedAt: new Date(run.startedAt).toISOString(),
  finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString(),
});

export const segmentsRoutes: AdminRoutes<AppContext> = (admin, app) => {
  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/segments',
      tag: 'Segments',
      summary: 'Segments with their sizes, and the last full recalculation',
      description:
        'A size counts the guests in the segment now: events keep membership current between full recalculations, which run daily and after the definitions change. `lastRecalculation` is null until the first one.',
      response: z.object({
        lastRecalculation: recalculation
          .extend({ coversCurrentDefinitions: z.boolean().describe('false: the conditions changed since; the next worker round recalculates') })
          .nullable(),
        items: z.array(z.object({ systemName: z.string(), name: z.string(), match: z.string(), conditions: z.array(z.unknown()), size: z.number() })),
      }),
    },
    async () => {
      const project = app.project.current;
      const [overview, [last]] = await Promise.all([segmentOverview(app.db, project), recentRecalculations(app.db, 1)]);
      const sizes = new Map(overview.map((segment) => [segment.systemName, segment.size]));
      return {
        lastRecalculation: last
          ? { ...recalculationAnswer(last), coversCurrentDefinitions: last.definitionsHash === definitionsHash(project.definition.segments) }
          : null,
        items: project.definition.segments.map((segment) => ({ ...segment, size: sizes.get(segment.systemName) ?? 0 })),
      };
    },
  );

  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/segments/recalculations',
      tag: 'Segments',
      summary: 'The last 20 full recalculations of every segment, newest first',
      response: z.object({ items: z.array(recalculation) }),
    },
    async () => ({ items: (await recentRecalculations(app.db)).map(recalculationAnswer) }),
  );

  adminRoute(
    admin,
    {
      method: 'POST',
      url: '/api/admin/segments/recalculate',
      tag: 'Segments',
      summary: 'Recalculates every segment for every guest now',
      description: 'One transaction; guests entering and leaving segments trigger their scenarios as usual.',
      response: z.object({
        reason,
        localDay: z.string(),
        entered: z.number(),
        left: z.number(),
        durationMs: z.number(),
        metricsMs: z.number().describe('computing the per-guest aggregates the segments share'),
        perSegment: z.array(z.object({ segment: z.string(), entered: z.number(), left: z.number(), durationMs: z.number() })),
      }),
    },
    async () => recalculateAllSegments(app.db, app.project.current, app.now(), 'manual'),
  );
};
