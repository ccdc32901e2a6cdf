// ResendConfirmationCode (Offline.ResendMobilePhoneConfirmationCode): a new confirmation code and, with
// step "send SMS" (on by default when the integration point confirms phones), the confirmation SMS.
import { resendConfirmationCode as resend } from '../../../customers/customers.service.ts';
import { sendConfirmationCode } from './confirmation-sms.ts';
import { guestContext } from './guest-context.ts';
import type { OperationHandler } from './types.ts';

export const resendConfirmationCode: OperationHandler = async (request) => {
  const result = await resend(request.db, guestContext(request), request.body.customer);
  if (!('customer' in result)) return { body: { customer: { processingStatus: result.status } }, recordTransaction: false };
  if (result.status === 'AlreadyConfirmed') {
    return {
      body: { customer: { processingStatus: 'Found', isMobilePhoneConfirmed: true }, smsConfirmation: { processingStatus: 'AlreadyConfirmed' } },
      recordTransaction: false,
    };
  }
  const sendSms = (request.operation.settings as { sendSms?: boolean }).sendSms ?? request.integrationPoint.phoneConfirmation;
  if (sendSms) await sendConfirmationCode(request, result.customer, result.confirmation);
  return { body: { customer: { processingStatus: 'Found' } } };
};
