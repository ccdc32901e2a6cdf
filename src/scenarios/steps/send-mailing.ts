// Step "send a mailing": renders the mailing for the event's guest and stores the SMS for delivery. Codes
// the event carries (sealed) fill the template and choose the number (a pending phone gets its own code). A
// scenario that is not transactional sends marketing (only with the guest's consent, within the hours, under the
// cap), unless the SMS carries a code: a code goes regardless.
import { openMailingSecrets } from '../../messaging/mailing-secrets.ts';
import { mailingRecipient } from '../../customers/customers.service.ts';
import { queueMailing } from '../../messaging/mailings.service.ts';
import type { StepRunner } from '../types.ts';

export const sendMailing: StepRunner<'sendMailing'> = async ({ db, project, secrets, defaultSmsUrl, scenario, event, customer, now }, step) => {
  const sealed = typeof event.data?.secrets === 'string' ? event.data.secrets : null;
  const carried = sealed ? openMailingSecrets(secrets, sealed) : null;
  const outcome = await queueMailing(db, { project, defaultSmsUrl, secrets }, {
    mailing: step.mailing,
    recipient: mailingRecipient(customer),
    to: carried?.to,
    parameters: carried?.parameters,
    validUntil: carried ? new Date(carried.validUntil) : undefined,
    coupon: typeof event.data?.coupon === 'string' ? event.data.coupon : undefined,
    source: `scenario:${scenario.systemName}`,
    kind: scenario.transactional || carried ? 'transactional' : 'marketing',
    now,
  });
  if (outcome.status === 'skipped') return { status: 'skipped', detail: outcome.reason };
  return { status: 'done', detail: `message ${outcome.messageId} ${outcome.status}` };
};
