// Step "call a webhook": the call leaves the run's transaction as an outbox job (a slow receiver must not
// hold the database), queued with the run. The job delivers it, retries with backoff and, when the receiver
// keeps failing, parks it; either way it writes the outcome over this step's line of the run log.
import { enqueueJob } from '../../jobs/outbox.ts';
import type { StepRunner } from '../types.ts';
import { webhookTopic, type WebhookJob } from '../webhook.ts';

export const callWebhook: StepRunner<'callWebhook'> = async ({ db, project, scenario, event, eventKey, runId }, step, position) => {
  const job: WebhookJob = {
    runId,
    scenario: scenario.systemName,
    branch: position.branch,
    step: position.step,
    eventKey,
    event: { ...event, data: withoutSecrets(event.data) },
  };
  await enqueueJob(db, webhookTopic, job);
  const url = project.secret(step.url, `scenarios/${scenario.systemName}/branches/${position.branch}/steps/${position.step}/url`);
  return { status: 'queued', detail: `POST ${new URL(url).origin}: queued` };
};

/** Sealed codes stay inside Regulars. */
function withoutSecrets(data: Record<string, unknown> | undefined): Record<string, unknown> {
  const { secrets: _sealed, ...rest } = data ?? {};
  return rest;
}
