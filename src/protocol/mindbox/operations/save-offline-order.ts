// SaveOfflineOrder (Offline.SaveOfflineOrder): an order taken while the POS could not reach the server.
import { saveOfflineOrder as saveOffline } from '../../../orders/orders.service.ts';
import { isObject, parseGuestIdentifiers } from '../shapes/customer.ts';
import { orderContext } from './order-context.ts';
import type { OperationHandler } from './types.ts';

export const saveOfflineOrder: OperationHandler = (call, deps) =>
  saveOffline(deps.db, orderContext(call, deps), call.body, isObject(call.body.customer) ? parseGuestIdentifiers(deps.project, call.body.customer) : null);
