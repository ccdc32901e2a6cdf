// ChangeOrderStatus (Offline.ChangeStatus) and ReturnOrder (Offline.Return): line statuses of a saved order,
// for the whole order (`orderLinesStatus`) or line by line with a quantity for returns.
import { changeOrderStatus as changeStatus } from '../../../orders/orders.service.ts';
import { orderContext } from './order-context.ts';
import type { OperationHandler } from './types.ts';

export const changeOrderStatus: OperationHandler = (call, deps) => changeStatus(deps.db, orderContext(call, deps), call.body);
