// EditCustomer (Offline.EditCustomer): change a guest's profile; a new phone on an integration point that
// confirms phones waits as pendingMobilePhone and gets a confirmation code by SMS.
import { editCustomer as edit, loadGuestView } from '../../../customers/customers.service.ts';
import { parseGuestEdit, wireCustomer } from '../shapes/customer.ts';
import { noteConfirmationSms } from './confirmation-sms.ts';
import { codePolicyOf, confirmationMailingOf, guestContext } from './guest-context.ts';
import { operation } from './types.ts';

export const editCustomer = operation({
  read: (call, { project, now }) => parseGuestEdit(project, call.body.customer, now),
  run: async (call, deps, { target, changes }) => {
    const mailing = confirmationMailingOf(call);
    const result = await edit(deps.db, guestContext(call, deps), target, changes, { code: codePolicyOf(call), mailing });
    if (!('customer' in result)) return { body: { customer: { processingStatus: result.status } }, recordTransaction: false };
    if (result.confirmationSms) noteConfirmationSms(deps, mailing, result.confirmationSms);
    return {
      body: { customer: { processingStatus: result.status, ...wireCustomer(await loadGuestView(deps.db, result.customer, deps.project)) } },
      recordTransaction: result.status === 'Changed',
    };
  },
});
