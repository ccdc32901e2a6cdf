// Scenario runs past their retention (docs/retention.md): the run log of the guest card and the scenario list.
import { daysBefore, inBatches } from '../db/retention.ts';
import type { PeriodicTask } from '../jobs/types.ts';
import { deleteSettledRunsBefore } from './scenarios.repository.ts';

export const scenarioRunRetention: PeriodicTask = {
  name: 'scenario-run-retention',
  everyMs: 10 * 60 * 1000,
  run: async (app) => {
    const cutoff = daysBefore(app.now(), app.config.scenarioRunRetentionDays);
    const deleted = await inBatches((limit) => deleteSettledRunsBefore(app.db, cutoff, limit));
    if (deleted) app.logger.info({ deleted }, 'scenario runs past retention removed');
  },
};
