// Guest sessions of the card page that expired can never be resumed: they go (docs/retention.md). Signing out deletes a session at once.
import { inBatches } from '../db/retention.ts';
import type { PeriodicTask } from '../jobs/types.ts';
import { deleteExpiredGuestSessions } from './guestcard.service.ts';

export const guestSessionRetention: PeriodicTask = {
  name: 'guest-session-retention',
  everyMs: 10 * 60 * 1000,
  run: async (app) => {
    const deleted = await inBatches((limit) => deleteExpiredGuestSessions(app.db, app.now(), limit));
    if (deleted) app.logger.info({ deleted }, 'expired guest sessions removed');
  },
};
