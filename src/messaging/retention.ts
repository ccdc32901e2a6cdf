// SMS past their retention (docs/retention.md): a message keeps its text (codes already masked) for a month,
// for questions about what a guest was sent; the row (phone, status, times) stays longer for the SMS log and
// the dashboard's counts, then goes.
import { daysBefore, inBatches } from '../db/retention.ts';
import type { PeriodicTask } from '../jobs/types.ts';
import { deleteMessagesBefore, dropTextsBefore } from './messages.repository.ts';

export const messagesRetention: PeriodicTask = {
  name: 'sms-retention',
  everyMs: 10 * 60 * 1000,
  run: async (app) => {
    const now = app.now();
    const textsDropped = await inBatches((limit) => dropTextsBefore(app.db, daysBefore(now, app.config.smsTextRetentionDays), limit));
    const deleted = await inBatches((limit) => deleteMessagesBefore(app.db, daysBefore(now, app.config.smsRetentionDays), limit));
    if (textsDropped || deleted) app.logger.info({ textsDropped, deleted }, 'SMS past retention: texts dropped, messages removed');
  },
};
