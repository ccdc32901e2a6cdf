// Admin API of the segments module: the recalculation history and a recalculation on demand. (Segments with
// their sizes: GET /api/admin/segments, in the project routes.)
import type { AdminRoutes } from '../admin/routes.ts';
import { recalculateAllSegments, recentRecalculations } from './segments.service.ts';

export const segmentsRoutes: AdminRoutes = (admin, app) => {
  admin.get('/api/admin/segments/recalculations', async () => ({ items: await recentRecalculations(app.db) }));

  admin.post('/api/admin/segments/recalculate', async () => {
    const report = await recalculateAllSegments(app.db, app.project.current, app.now(), 'manual');
    return { ...report };
  });
};
