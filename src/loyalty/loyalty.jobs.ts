// Periodic work of the points: writing off expired points, a few hundred guests per short transaction.
import type { PeriodicTask } from '../jobs/types.ts';
import { expireDuePoints } from './ledger.service.ts';

const BATCH = 200;

export const pointsExpiryTask: PeriodicTask = {
  name: 'points-expiry',
  everyMs: 60_000,
  run: async (app) => {
    let total = 0;
    for (;;) {
      const handled = await expireDuePoints(app.db, app.project.current, app.now(), BATCH);
      total += handled;
      if (handled < BATCH) break;
    }
    if (total > 0) app.logger.info({ balances: total }, 'expired points written off');
  },
};
