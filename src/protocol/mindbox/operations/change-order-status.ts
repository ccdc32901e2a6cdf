// ChangeOrderStatus (Offline.ChangeStatus) and ReturnOrder (Offline.Return): line statuses of a saved order,
// for the whole order (`orderLinesStatus`) or line by line with a quantity for returns.
import { changeOrderStatus as changeStatus, lockOrderToChange } from '../../../orders/change-status.ts';
import { protocolError } from '../../../shared/errors.ts';
import { executionTimeOf } from '../shapes/order.ts';
import { parseOrderToChange, parseStatusChange } from '../shapes/order-status.ts';
import { orderContext } from './order-context.ts';
import type { OperationHandler } from './types.ts';

export const changeOrderStatus: OperationHandler = async (call, deps) => {
  const executedAt = executionTimeOf(call.body, deps.now);
  const ref = parseOrderToChange(deps.project, call.body);
  const target = await lockOrderToChange(deps.db, ref);
  // an unknown order is a ProtocolError (HTTP 400), as Mindbox answers, whatever else the request asks
  if (!target) throw protocolError(`order ${JSON.stringify(ref.mindboxId === undefined ? ref.ids : { ...ref.ids, mindboxId: ref.mindboxId })} is not known`);
  const request = parseStatusChange(deps.project, call.body, target.lines);
  const { couponsReleased } = await changeStatus(deps.db, orderContext(call, deps), target, request, executedAt);
  if (couponsReleased > 0) deps.notes.push(`coupons given back: ${couponsReleased}`);
  return { body: {} };
};
