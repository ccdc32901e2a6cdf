// ResendConfirmationCode (Offline.ResendMobilePhoneConfirmationCode): a new confirmation code and, with
// step "send SMS" (on by default when the integration point confirms phones), the confirmation SMS.
import { resendConfirmationCode as resend } from '../../../customers/customers.service.ts';
import { sendConfirmationCode } from './confirmation-sms.ts';
import { guestContext } from './guest-context.ts';
import type { OperationHandler } from './types.ts';

export const resendConfirmationCode: OperationHandler = async (call, deps) => {
  const result = await resend(deps.db, guestContext(call, deps), call.body.customer);
  if (!('customer' in result)) return { body: { customer: { processingStatus: result.status } }, recordTransaction: false };
  if (result.status === 'AlreadyConfirmed') {
    return {
      body: { customer: { processingStatus: 'Found', isMobilePhoneConfirmed: true }, smsConfirmation: { processingStatus: 'AlreadyConfirmed' } },
      recordTransaction: false,
    };
  }
  const sendSms = (call.operation.settings as { sendSms?: boolean }).sendSms ?? call.integrationPoint.phoneConfirmation;
  if (sendSms) await sendConfirmationCode(call, deps, result.customer, result.confirmation);
  return { body: { customer: { processingStatus: 'Found' } } };
};
