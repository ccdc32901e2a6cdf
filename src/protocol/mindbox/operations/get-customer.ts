// GetCustomer (Offline.CheckCustomer): find a guest by phone, card or ids and show their profile and the
// balances of the balance types chosen in the operation's settings.
import { findCustomer, loadGuestView } from '../../../customers/customers.service.ts';
import { customerBalances } from '../../../loyalty/balances.ts';
import { validationError } from '../../../shared/errors.ts';
import { parseGuestIdentifiers, wireCustomer } from '../shapes/customer.ts';
import { operation } from './types.ts';

export const getCustomer = operation({
  read: (call, { project }) => parseGuestIdentifiers(project, call.body.customer),
  run: async (call, deps, identifiers) => {
    const lookup = await findCustomer(deps.db, identifiers);
    if (lookup.status === 'NoIdentifiers') {
      throw validationError({ location: '/customer', message: "give the guest's mobilePhone, discountCard.ids.number or ids" });
    }
    if (lookup.status !== 'Found') return { body: { customer: { processingStatus: lookup.status } } };
    const balanceTypes = (call.operation.settings as { balanceTypes?: string[] }).balanceTypes ?? [];
    const balances = await customerBalances(deps.db, deps.project, lookup.customer.id, balanceTypes, deps.now);
    return {
      body: { customer: { processingStatus: 'Found', ...wireCustomer(await loadGuestView(deps.db, lookup.customer, deps.project)) }, balances },
    };
  },
});
