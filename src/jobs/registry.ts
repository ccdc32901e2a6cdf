// The job catalogue (every outbox topic with its handler) and every periodic task, from all modules. A module
// declares its topic (payload schema, retry policy) beside the code that queues it and adds one line here.
import type { PeriodicTask, WorkerLoop } from './types.ts';
import { handle, JobCatalogue } from './catalogue.ts';
import { idempotencyRetention, operationLogRetention } from '../protocol/mindbox/retention.ts';
import { sessionRetention } from '../admin/sessions.retention.ts';
import { guestSessionRetention } from '../guestcard/retention.ts';
import { applePassUpdates, applePushJob, applePushTopic } from '../guestcard/apple-wallet.service.ts';
import { failedAttemptsRetention } from '../shared/failed-attempts.retention.ts';
import { codeRetention } from '../customers/retention.ts';
import { messagesRetention } from '../messaging/retention.ts';
import { scenarioRunRetention } from '../scenarios/retention.ts';
import { outboxRetention } from './outbox-retention.ts';
import { smsSendTopic } from '../messaging/mailings.service.ts';
import { sendSmsJob } from '../messaging/sms-delivery.ts';
import { eventJob } from '../scenarios/jobs.ts';
import { webhookJob, webhookTopic } from '../scenarios/webhook.ts';
import { segmentRecalculationTask } from '../segments/segments.jobs.ts';
import { pointsExpiryTask } from '../loyalty/loyalty.jobs.ts';
import { eventTopic } from './outbox.ts';
import { marketingLoop } from '../campaigns/campaigns.jobs.ts';
import { dailyScenariosTask } from '../scenarios/daily.ts';

export const jobCatalogue = new JobCatalogue([
  handle(eventTopic, eventJob),
  handle(smsSendTopic, sendSmsJob),
  handle(webhookTopic, webhookJob),
  handle(applePushTopic, applePushJob),
]);

export const periodicTasks: PeriodicTask[] = [
  operationLogRetention,
  segmentRecalculationTask,
  pointsExpiryTask,
  dailyScenariosTask,
  applePassUpdates,
  // retention of every table that grows with traffic (docs/retention.md)
  idempotencyRetention,
  outboxRetention,
  messagesRetention,
  codeRetention,
  scenarioRunRetention,
  sessionRetention,
  guestSessionRetention,
  failedAttemptsRetention,
];

/** Loops every worker process runs beside its worker loop. */
export const workerLoops: WorkerLoop[] = [marketingLoop];
