// Sends a confirmation code straight from an operation (step "send SMS" of ResendConfirmationCode, and a
// phone change in EditCustomer) through the mailing named in the operation's `confirmationMailing`.
import type { CodeForSms, CustomerRow } from '../../../customers/customers.service.ts';
import { mailingRecipient, queueMailing } from '../../../messaging/mailings.service.ts';
import type { OperationCall, OperationDeps } from './types.ts';

export async function sendConfirmationCode(call: OperationCall, deps: OperationDeps, customer: CustomerRow, confirmation: CodeForSms): Promise<void> {
  const mailing = (call.operation.settings as { confirmationMailing?: string }).confirmationMailing;
  if (!mailing) {
    deps.notes.push('no confirmationMailing in the operation settings: the confirmation code was not sent');
    return;
  }
  const outcome = await queueMailing(deps.db, { project: deps.project, defaultSmsUrl: deps.defaultSmsUrl, secrets: deps.secrets }, {
    mailing,
    recipient: mailingRecipient(customer),
    to: confirmation.phone,
    parameters: { MobilePhoneConfirmationCode: confirmation.code.code },
    validUntil: confirmation.code.expiresAt,
    source: `operation:${call.operation.systemName}`,
    now: deps.now,
  });
  if (outcome.status === 'skipped') deps.notes.push(`confirmation SMS not sent: ${outcome.reason}`);
}
