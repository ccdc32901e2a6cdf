// The `scenarios.webhook` job: delivers a scenario's "call a webhook" step. The body is JSON with the event
// and the guest as CheckCustomer shows them; `X-Regulars-Signature: sha256=<hex>` is the HMAC-SHA256 of the
// exact body bytes under the step's secret, so the receiver can check the call came from Regulars. Every
// attempt of one step carries the same `X-Regulars-Delivery` id (receivers deduplicate by it). A 2xx answer
// is success; a timeout, a network error, a 5xx, 408 or 429 is retried with the topic's backoff up to the
// step's `maxAttempts`; any other answer, or the last failure, parks the job. The run log shows each outcome.
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { getCustomerById, loadGuestView } from '../customers/customers.service.ts';
import { eventTopic, type DomainEvent } from '../jobs/outbox.ts';
import { jobTopic } from '../jobs/topic.ts';
import { ParkJobError, type JobHandler } from '../jobs/types.ts';
import type { ScenarioStep } from '../project/schemas.ts';
import { customerNode } from '../wire/customer.ts';
import * as repository from './scenarios.repository.ts';

export interface WebhookJob {
  runId: number;
  scenario: string;
  branch: number;
  step: number;
  eventKey: string;
  event: DomainEvent;
}

/**
 * Delivering one "call a webhook" step. The step's own `maxAttempts` (at most 20, the project schema's limit)
 * parks it earlier; the topic's limit only bounds it. Waits double from 1 s up to 10 min.
 */
export const webhookTopic = jobTopic<WebhookJob>({
  name: 'scenarios.webhook',
  payload: z.object({
    runId: z.number().int().positive(),
    scenario: z.string().min(1),
    branch: z.number().int().nonnegative(),
    step: z.number().int().nonnegative(),
    eventKey: z.string().min(1),
    event: eventTopic.payload,
  }),
  retry: { maxAttempts: 20, firstRetryMs: 1000, maxRetryMs: 10 * 60_000 },
  describe: (job) => `webhook of scenario ${job.scenario}, branch ${job.branch + 1}, step ${job.step + 1} (run ${job.runId})`,
});

const SIGNATURE_HEADER = 'x-regulars-signature';

/** `sha256=<hex HMAC-SHA256 of the body under the secret>` */
export function signatureOf(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

type Outcome = { ok: true; status: number } | { ok: false; retry: boolean; reason: string };

async function deliver(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<Outcome> {
  try {
    const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    const retry = response.status >= 500 || response.status === 408 || response.status === 429;
    return { ok: false, retry, reason: `HTTP ${response.status}` };
  } catch (error) {
    const name = (error as Error).name;
    const reason = name === 'TimeoutError' ? `no answer in ${timeoutMs / 1000} s` : `${(error as Error).message}${(error as { cause?: Error }).cause ? `: ${(error as { cause: Error }).cause.message}` : ''}`;
    return { ok: false, retry: true, reason };
  }
}

function stepOf(app: AppContext, job: WebhookJob): Extract<ScenarioStep, { type: 'callWebhook' }> | null {
  const scenario = app.project.current.definition.scenarios.find((candidate) => candidate.systemName === job.scenario);
  const step = scenario?.branches[job.branch]?.steps[job.step];
  return step?.type === 'callWebhook' ? step : null;
}

export const webhookJob: JobHandler<WebhookJob> = async (app, job, { attempts }) => {
  const record = (status: 'done' | 'queued' | 'parked', detail: string) =>
    repository.updateRunStep(app.db, job.runId, job.step, { type: 'callWebhook', status, detail }, status === 'parked' ? 'failed' : undefined);
  const park = async (reason: string): Promise<never> => {
    await record('parked', reason);
    throw new ParkJobError(reason);
  };

  const step = stepOf(app, job);
  if (!step) return park('the scenario no longer has this webhook step');
  const customer = await getCustomerById(app.db, job.event.customerId);
  if (!customer) return park('the guest no longer exists');

  const project = app.project.current;
  const where = `scenarios/${job.scenario}/branches/${job.branch}/steps/${job.step}`;
  const url = project.secret(step.url, `${where}/url`);
  const deliveryId = `${job.runId}.${job.step}`;
  const body = JSON.stringify({
    deliveryId,
    scenario: { systemName: job.scenario, branch: job.branch, step: job.step },
    event: { id: job.eventKey, ...job.event },
    customer: customerNode(await loadGuestView(app.db, customer, project)),
  });
  const outcome = await deliver(
    url,
    body,
    {
      'content-type': 'application/json',
      'user-agent': 'Regulars',
      [SIGNATURE_HEADER]: signatureOf(body, project.secret(step.secret, `${where}/secret`)),
      'x-regulars-delivery': deliveryId,
      'x-regulars-attempt': String(attempts),
    },
    step.timeoutSeconds * 1000,
  );
  const target = `POST ${new URL(url).origin}`;
  if (outcome.ok) {
    await record('done', `${target}: HTTP ${outcome.status} on attempt ${attempts}`);
    return;
  }
  if (!outcome.retry) return park(`${target}: ${outcome.reason} on attempt ${attempts}; not retried`);
  if (attempts >= step.maxAttempts) return park(`${target}: ${outcome.reason} on attempt ${attempts} of ${step.maxAttempts}; parked`);
  await record('queued', `${target}: ${outcome.reason} on attempt ${attempts} of ${step.maxAttempts}; retrying`);
  throw new Error(`webhook ${target}: ${outcome.reason}`);
};
