// RegisterCustomer (Offline.RegisterCustomer): create a guest; the confirmation SMS goes out through the
// transactional scenario on "customer registered".
import { loadGuestView, registerCustomer as register } from '../../../customers/customers.service.ts';
import { parseNewGuest, wireCustomer } from '../shapes/customer.ts';
import { codePolicyOf, guestContext } from './guest-context.ts';
import type { OperationHandler } from './types.ts';

export const registerCustomer: OperationHandler = async (call, deps) => {
  const guest = parseNewGuest(deps.project, call.body.customer, deps.now);
  const { customer } = await register(deps.db, guestContext(call, deps), guest, codePolicyOf(call));
  return { body: { customer: { processingStatus: 'Created', ...wireCustomer(await loadGuestView(deps.db, customer, deps.project)) } } };
};
