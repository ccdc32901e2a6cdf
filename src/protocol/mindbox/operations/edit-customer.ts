// EditCustomer (Offline.EditCustomer): change a guest's profile; a new phone on an integration point that
// confirms phones waits as pendingMobilePhone and gets a confirmation code by SMS.
import { editCustomer as edit, toWireCustomer } from '../../../customers/customers.service.ts';
import { sendConfirmationCode } from './confirmation-sms.ts';
import { guestContext } from './guest-context.ts';
import type { OperationHandler } from './types.ts';

export const editCustomer: OperationHandler = async (request) => {
  const result = await edit(request.db, guestContext(request), request.body.customer);
  if (!('customer' in result)) return { body: { customer: { processingStatus: result.status } }, recordTransaction: false };
  if (result.confirmation) await sendConfirmationCode(request, result.customer, result.confirmation);
  return {
    body: { customer: { processingStatus: result.status, ...toWireCustomer(result.customer, request.project) } },
    recordTransaction: result.status === 'Changed',
  };
};
