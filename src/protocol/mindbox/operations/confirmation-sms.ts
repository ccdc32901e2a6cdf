// What the operation log says about a confirmation SMS an operation sent itself (step "send SMS" of
// ResendConfirmationCode, and a phone change in EditCustomer), through the operation's `confirmationMailing`.
import type { ConfirmationSms } from '../../../customers/customers.service.ts';
import type { OperationDeps } from './types.ts';

export function noteConfirmationSms(deps: OperationDeps, mailing: string | null, sms: ConfirmationSms): void {
  if (sms.status !== 'notSent') return;
  deps.notes.push(mailing ? `confirmation SMS not sent: ${sms.reason}` : 'no confirmationMailing in the operation settings: the confirmation code was not sent');
}
