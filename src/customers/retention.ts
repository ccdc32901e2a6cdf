// One-time codes past their use (docs/retention.md): a code row holds the phone it went to, so it goes a day
// after the code expired, once it no longer counts for the limits of codes to one phone (an hour, and the
// project's pause between codes).
import { inBatches } from '../db/retention.ts';
import type { PeriodicTask } from '../jobs/types.ts';
import { deleteCodesExpiredBefore } from './codes.repository.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export const codeRetention: PeriodicTask = {
  name: 'code-retention',
  everyMs: 10 * 60 * 1000,
  run: async (app) => {
    const now = app.now().getTime();
    const countsForLimitsMs = Math.max(HOUR_MS, app.project.current.settings.codeMinIntervalSeconds * 1000);
    const deleted = await inBatches((limit) => deleteCodesExpiredBefore(app.db, new Date(now - DAY_MS), new Date(now - countsForLimitsMs), limit));
    if (deleted) app.logger.info({ deleted }, 'expired one-time codes removed');
  },
};
