// The background work of every module, in one list the entries hand to the worker (src/main.ts, src/cli.ts) and
// to the list of parked work (src/server.ts): the job catalogue (every outbox topic with its handler), the
// periodic tasks, the loops beside the worker and the queue of async protocol calls. A module declares its topic
// (payload schema, retry policy) or its task beside its code and adds one line here; src/jobs knows none of them.
import { failedAttemptsRetention } from './admin/failed-attempts.retention.ts';
import { sessionRetention } from './admin/sessions.retention.ts';
import { marketingLoop } from './campaigns/campaigns.jobs.ts';
import { codeRetention } from './customers/retention.ts';
import { applePushJob, applePushTopic } from './guestcard/apple-wallet.service.ts';
import { googleUpdateJob, googleUpdateTopic } from './guestcard/google-wallet.service.ts';
import { guestSessionRetention } from './guestcard/retention.ts';
import { walletUpdates } from './guestcard/wallet-updates.ts';
import { handle, JobCatalogue } from './jobs/catalogue.ts';
import { outboxRetention } from './jobs/outbox-retention.ts';
import { eventTopic } from './jobs/outbox.ts';
import type { BackgroundWork } from './jobs/worker.ts';
import { pointsExpiryTask } from './loyalty/loyalty.jobs.ts';
import { smsSendTopic } from './messaging/mailings.service.ts';
import { messagesRetention } from './messaging/retention.ts';
import { sendSmsJob } from './messaging/sms-delivery.ts';
import { processNextAsyncOperation } from './protocol/mindbox/async-worker.ts';
import { idempotencyRetention, operationLogRetention } from './protocol/mindbox/retention.ts';
import { dailyScenariosTask } from './scenarios/daily.ts';
import { eventJob } from './scenarios/jobs.ts';
import { scenarioRunRetention } from './scenarios/retention.ts';
import { webhookJob, webhookTopic } from './scenarios/webhook.ts';
import { segmentRecalculationTask } from './segments/segments.jobs.ts';

const catalogue = new JobCatalogue([
  handle(eventTopic, eventJob),
  handle(smsSendTopic, sendSmsJob),
  handle(webhookTopic, webhookJob),
  handle(applePushTopic, applePushJob),
  handle(googleUpdateTopic, googleUpdateJob),
]);

const periodicTasks = [
  operationLogRetention,
  segmentRecalculationTask,
  pointsExpiryTask,
  dailyScenariosTask,
  walletUpdates,
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

export const backgroundWork: BackgroundWork = {
  catalogue,
  periodicTasks,
  // loops every worker process runs beside its worker loop
  loops: [marketingLoop],
  runNextAsyncCall: processNextAsyncOperation,
};
