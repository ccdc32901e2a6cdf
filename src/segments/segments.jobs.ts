// The daily and on-change full recalculation, as a periodic task of every worker process (it checks each
// minute; the database decides which process runs it, and only once).
import type { PeriodicTask } from '../jobs/types.ts';
import { runDueRecalculation } from './segments.service.ts';

export const segmentRecalculationTask: PeriodicTask = {
  name: 'segments-recalculation',
  everyMs: 60_000,
  run: async (app) => {
    const report = await runDueRecalculation(app);
    if (report) app.logger.info({ ...report }, 'segments recalculated');
  },
};
