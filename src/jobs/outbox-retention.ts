// Outbox jobs that are done stay a few days (to see what ran), then go; pending and parked ones stay, the
// parked until an operator retries them (docs/retention.md).
import type { Db } from '../db/database.ts';
import { daysBefore, inBatches } from '../db/retention.ts';
import type { PeriodicTask } from './types.ts';

/** Deletes at most `limit` jobs done before `cutoff`, oldest first. */
export async function deleteDoneJobsBefore(db: Db, cutoff: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('outbox')
    .where(
      'id',
      'in',
      db.selectFrom('outbox').select('id').where('status', '=', 'done').where('processed_at', '<', cutoff).orderBy('processed_at').limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export const outboxRetention: PeriodicTask = {
  name: 'outbox-retention',
  everyMs: 10 * 60 * 1000,
  run: async (app) => {
    const cutoff = daysBefore(app.now(), app.config.outboxRetentionDays);
    const deleted = await inBatches((limit) => deleteDoneJobsBefore(app.db, cutoff, limit));
    if (deleted) app.logger.info({ deleted }, 'outbox jobs done before the retention removed');
  },
};
