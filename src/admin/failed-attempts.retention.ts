// Counters of failed attempts (staff sign-in, the guest's card page) that nobody failed on for a day remember nothing any more (decision 0502): they go.
import type { PeriodicTask } from '../jobs/types.ts';
import { deleteForgottenFailures } from '../shared/failed-attempts.ts';

export const failedAttemptsRetention: PeriodicTask = {
  name: 'failed-attempts-retention',
  everyMs: 10 * 60 * 1000,
  run: async (app) => {
    const deleted = await deleteForgottenFailures(app.db, app.now());
    if (deleted) app.logger.info({ deleted }, 'forgotten counters of failed attempts removed');
  },
};
