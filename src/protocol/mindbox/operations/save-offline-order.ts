// SaveOfflineOrder (Offline.SaveOfflineOrder): an order taken while the POS could not reach the server, dated
// when it was rung up (`order.createdDateTimeUtc` or `executionDateTimeUtc`), not when it arrived.
import { saveOfflineOrder as saveOffline } from '../../../orders/offline-order.ts';
import { newLineStatuses, pointScaleOf } from '../../../orders/order-lines.ts';
import { orderRefOf } from '../../../orders/saved-orders.ts';
import { toDecimal } from '../../../shared/money.ts';
import { isObject } from '../../../wire/decoded.ts';
import { parseGuestIdentifiers } from '../shapes/customer.ts';
import { wireOrderIds } from '../shapes/order-answer.ts';
import { offlineOrderTimeOf, parseOrderInput } from '../shapes/order.ts';
import { balanceTypeOf, defaultLineStatusOf, noteUnknownProducts, orderContext } from './order-context.ts';
import { operation } from './types.ts';

export const saveOfflineOrder = operation({
  read: (call, { project, now }) => {
    const executedAt = offlineOrderTimeOf(call.body, now);
    const balanceType = balanceTypeOf(call, project);
    const order = parseOrderInput(project, call.body, { pointScale: pointScaleOf(balanceType), requireTotalPrice: false, requireIdentifier: true });
    // refused in this order, as a POS has always seen it: the order, its lines' statuses, then the guest
    const lineStatuses = newLineStatuses(project, order.lines, defaultLineStatusOf(call, project));
    const guest = isObject(call.body.customer) ? parseGuestIdentifiers(project, call.body.customer) : null;
    return { order, lineStatuses, guest, balanceType, executedAt };
  },
  run: async (call, deps, request) => {
    const { order } = request;
    const result = await saveOffline(deps.db, orderContext(call, deps), request);

    if (result.kind === 'AlreadyExists') {
      deps.notes.push(`offline order ${orderRefOf(result.orderId, order.ids)} is known already (order ${result.orderId}); nothing changed`);
    } else if (result.kind === 'Created') {
      if (result.guestLookup === 'NotFound' || result.guestLookup === 'Ambiguous') deps.notes.push(`offline order saved without a guest: guest ${result.guestLookup}`);
      noteUnknownProducts(deps, order.externalSystem, result.unknownProducts);
    } else {
      noteUnknownProducts(deps, order.externalSystem, result.unknownProducts);
      const { ref, spentPoints, pointScale, couponsReleased } = result.replacedCreate;
      deps.notes.push(
        `order ${ref} was created online but the POS got no answer and sold it offline: replaced by the offline order` +
          `${spentPoints > 0 ? `, ${toDecimal(spentPoints, pointScale)} spent points given back` : ''}${couponsReleased > 0 ? `, coupons given back: ${couponsReleased}` : ''}`,
      );
    }
    return { body: { order: { processingStatus: result.kind, ids: wireOrderIds(result.orderId, result.ids) } } };
  },
});
