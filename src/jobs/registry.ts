// Every outbox topic's handler and every periodic task, from all modules.
import type { JobHandler, PeriodicTask } from './types.ts';
import { idempotencyRetention, operationLogRetention } from '../protocol/mindbox/retention.ts';
import { sessionRetention } from '../admin/sessions.retention.ts';
import { failedAttemptsRetention } from '../shared/failed-attempts.retention.ts';
import { codeRetention } from '../customers/retention.ts';
import { messagesRetention } from '../messaging/retention.ts';
import { scenarioRunRetention } from '../scenarios/retention.ts';
import { outboxRetention } from './outbox-retention.ts';
import { SMS_SEND_TOPIC } from '../messaging/mailings.service.ts';
import { sendSmsJob } from '../messaging/sms-delivery.ts';
import { eventJob } from '../scenarios/jobs.ts';
import { WEBHOOK_TOPIC, webhookJob } from '../scenarios/webhook.ts';
import { segmentRecalculationTask } from '../segments/segments.jobs.ts';
import { pointsExpiryTask } from '../loyalty/loyalty.jobs.ts';
import { EVENT_TOPIC } from './outbox.ts';

export const jobHandlers: Record<string, JobHandler> = {
  [EVENT_TOPIC]: eventJob,
  [SMS_SEND_TOPIC]: sendSmsJob,
  [WEBHOOK_TOPIC]: webhookJob,
};

export const periodicTasks: PeriodicTask[] = [
  operationLogRetention,
  segmentRecalculationTask,
  pointsExpiryTask,
  // retention of every table that grows with traffic (docs/retention.md)
  idempotencyRetention,
  outboxRetention,
  messagesRetention,
  codeRetention,
  scenarioRunRetention,
  sessionRetention,
  failedAttemptsRetention,
];
