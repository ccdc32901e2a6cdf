// RegisterCustomer (Offline.RegisterCustomer): create a guest; the confirmation SMS goes out through the
// transactional scenario on "customer registered".
import { loadGuestView, registerCustomer as register } from '../../../customers/customers.service.ts';
import { parseNewGuest, wireCustomer } from '../shapes/customer.ts';
import { codePolicyOf, guestContext } from './guest-context.ts';
import { operation } from './types.ts';

export const registerCustomer = operation({
  read: (call, { project, now }) => parseNewGuest(project, call.body.customer, now),
  run: async (call, deps, guest) => {
    const { customer } = await register(deps.db, guestContext(call, deps), guest, codePolicyOf(call));
    return { body: { customer: { processingStatus: 'Created', ...wireCustomer(await loadGuestView(deps.db, customer, deps.project)) } } };
  },
});
