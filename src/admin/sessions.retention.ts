// Console sessions that expired can never be resumed: they go (docs/retention.md). Signing out deletes a session at once.
import type { PeriodicTask } from '../jobs/types.ts';
import { deleteExpiredSessions } from './users.service.ts';

export const sessionRetention: PeriodicTask = {
  name: 'session-retention',
  everyMs: 10 * 60 * 1000,
  run: async (app) => {
    const deleted = await deleteExpiredSessions(app.db, app.now());
    if (deleted) app.logger.info({ deleted }, 'expired console sessions removed');
  },
};
