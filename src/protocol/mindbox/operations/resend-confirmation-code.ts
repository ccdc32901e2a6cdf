// ResendConfirmationCode (Offline.ResendMobilePhoneConfirmationCode): a new confirmation code and, with
// step "send SMS" (on by default when the integration point confirms phones), the confirmation SMS.
import { resendConfirmationCode as resend } from '../../../customers/customers.service.ts';
import { parseGuestIdentifiers } from '../shapes/customer.ts';
import { noteConfirmationSms } from './confirmation-sms.ts';
import { codePolicyOf, confirmationMailingOf, guestContext } from './guest-context.ts';
import { operation } from './types.ts';

export const resendConfirmationCode = operation({
  read: (call, { project }) => parseGuestIdentifiers(project, call.body.customer),
  run: async (call, deps, target) => {
    const sendSms = (call.operation.settings as { sendSms?: boolean }).sendSms ?? call.integrationPoint.phoneConfirmation;
    const mailing = confirmationMailingOf(call);
    const result = await resend(deps.db, guestContext(call, deps), target, { code: codePolicyOf(call), mailing: sendSms ? mailing : null });
    if (!('customer' in result)) return { body: { customer: { processingStatus: result.status } }, recordTransaction: false };
    if (result.status === 'AlreadyConfirmed') {
      return {
        body: { customer: { processingStatus: 'Found', isMobilePhoneConfirmed: true }, smsConfirmation: { processingStatus: 'AlreadyConfirmed' } },
        recordTransaction: false,
      };
    }
    if (sendSms) noteConfirmationSms(deps, mailing, result.confirmationSms);
    return { body: { customer: { processingStatus: 'Found' } } };
  },
});
