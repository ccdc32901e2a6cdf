// Keeps the operation log to its configured retention.
import type { PeriodicTask } from '../../jobs/types.ts';
import { deleteOperationLogBefore } from './protocol.repository.ts';

export const operationLogRetention: PeriodicTask = {
  name: 'operation-log-retention',
  everyMs: 60 * 60 * 1000,
  run: async (app) => {
    const cutoff = new Date(app.now().getTime() - app.config.operationLogRetentionDays * 86_400_000);
    const deleted = await deleteOperationLogBefore(app.db, cutoff);
    if (deleted) app.logger.info({ deleted }, 'operation log entries past retention removed');
  },
};
