// EditCustomer (Offline.EditCustomer): change a guest's profile; a new phone on an integration point that
// confirms phones waits as pendingMobilePhone and gets a confirmation code by SMS.
import { editCustomer as edit, toWireCustomer } from '../../../customers/customers.service.ts';
import { sendConfirmationCode } from './confirmation-sms.ts';
import { guestContext } from './guest-context.ts';
import type { OperationHandler } from './types.ts';

export const editCustomer: OperationHandler = async (call, deps) => {
  const result = await edit(deps.db, guestContext(call, deps), call.body.customer);
  if (!('customer' in result)) return { body: { customer: { processingStatus: result.status } }, recordTransaction: false };
  if (result.confirmation) await sendConfirmationCode(call, deps, result.customer, result.confirmation);
  return {
    body: { customer: { processingStatus: result.status, ...toWireCustomer(result.customer, deps.project) } },
    recordTransaction: result.status === 'Changed',
  };
};
