// CalculateAuthorizedCart (Offline.AuthorizedPreorder) and CalculateAnonymousCart (Offline.AnonymousPreorder):
// the bill with discounts, points to spend and to earn. Saves nothing.
import { calculateOrder } from '../../../orders/orders.service.ts';
import { parseGuestIdentifiers } from '../shapes/customer.ts';
import { orderContext } from './order-context.ts';
import type { OperationHandler } from './types.ts';

export const calculateAuthorizedCart: OperationHandler = (call, deps) =>
  calculateOrder(deps.db, orderContext(call, deps), call.body, parseGuestIdentifiers(deps.project, call.body.customer));

export const calculateAnonymousCart: OperationHandler = (call, deps) => calculateOrder(deps.db, orderContext(call, deps), call.body, null);
