// Sends a confirmation code straight from an operation (step "send SMS" of ResendConfirmationCode, and a
// phone change in EditCustomer) through the mailing named in the operation's `confirmationMailing`.
import type { CodeForSms, CustomerRow } from '../../../customers/customers.service.ts';
import { mailingRecipient, queueMailing } from '../../../messaging/mailings.service.ts';
import type { OperationRequest } from './types.ts';

export async function sendConfirmationCode(request: OperationRequest, customer: CustomerRow, confirmation: CodeForSms): Promise<void> {
  const mailing = (request.operation.settings as { confirmationMailing?: string }).confirmationMailing;
  if (!mailing) {
    request.notes.push('no confirmationMailing in the operation settings: the confirmation code was not sent');
    return;
  }
  const outcome = await queueMailing(request.db, { project: request.project, defaultSmsUrl: request.app.config.smsUrl, secrets: request.app.secrets }, {
    mailing,
    recipient: mailingRecipient(customer),
    to: confirmation.phone,
    parameters: { MobilePhoneConfirmationCode: confirmation.code.code },
    validUntil: confirmation.code.expiresAt,
    source: `operation:${request.operation.systemName}`,
    now: request.now,
  });
  if (outcome.status === 'skipped') request.notes.push(`confirmation SMS not sent: ${outcome.reason}`);
}
