// CreateAuthorizedOrder (Offline.CreateAuthorizedOrder) and CreateAnonymousOrder (Offline.CreateAnonymousOrder):
// calculate again, check the POS's total, save the order, spend points and record the points to earn.
import { createOrder } from '../../../orders/orders.service.ts';
import { parseGuestIdentifiers } from '../shapes/customer.ts';
import { orderContext } from './order-context.ts';
import type { OperationHandler } from './types.ts';

export const createAuthorizedOrder: OperationHandler = (call, deps) =>
  createOrder(deps.db, orderContext(call, deps), call.body, parseGuestIdentifiers(deps.project, call.body.customer));

export const createAnonymousOrder: OperationHandler = (call, deps) => createOrder(deps.db, orderContext(call, deps), call.body, null);
