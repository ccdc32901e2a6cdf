// RegisterCustomer (Offline.RegisterCustomer): create a guest; the confirmation SMS goes out through the
// transactional scenario on "customer registered".
import { registerCustomer as register, toWireCustomer } from '../../../customers/customers.service.ts';
import { guestContext } from './guest-context.ts';
import type { OperationHandler } from './types.ts';

export const registerCustomer: OperationHandler = async (call, deps) => {
  const { customer } = await register(deps.db, guestContext(call, deps), call.body.customer);
  return { body: { customer: { processingStatus: 'Created', ...toWireCustomer(customer, deps.project) } } };
};
