// ChangeOrderStatus (Offline.ChangeStatus) and ReturnOrder (Offline.Return): line statuses of a saved order,
// for the whole order (`orderLinesStatus`) or line by line with a quantity for returns.
import { changeOrderStatus as changeStatus, lockOrderToChange } from '../../../orders/change-status.ts';
import { protocolError } from '../../../shared/errors.ts';
import { executionTimeOf } from '../shapes/order.ts';
import { parseOrderToChange, parseStatusChange } from '../shapes/order-status.ts';
import { orderContext } from './order-context.ts';
import { operation } from './types.ts';

export const changeOrderStatus = operation({
  read: (call, { project, now }) => ({ executedAt: executionTimeOf(call.body, now), ref: parseOrderToChange(project, call.body) }),
  // which lines may change, and how, depends on the order: that part of the request is read once it is found
  run: async (call, deps, { executedAt, ref }) => {
    const target = await lockOrderToChange(deps.db, ref);
    // an unknown order is a ProtocolError (HTTP 400), as Mindbox answers, whatever else the request asks
    if (!target) throw protocolError(`order ${JSON.stringify(ref.mindboxId === undefined ? ref.ids : { ...ref.ids, mindboxId: ref.mindboxId })} is not known`);
    const request = parseStatusChange(deps.project, call.body, target.lines);
    const { couponsReleased } = await changeStatus(deps.db, orderContext(call, deps), target, request, executedAt);
    if (couponsReleased > 0) deps.notes.push(`coupons given back: ${couponsReleased}`);
    return { body: {} };
  },
});
