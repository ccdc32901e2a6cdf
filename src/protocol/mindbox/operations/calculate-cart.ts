// CalculateAuthorizedCart (Offline.AuthorizedPreorder) and CalculateAnonymousCart (Offline.AnonymousPreorder):
// the bill with discounts, points to spend and to earn. Saves nothing.
import { calculateOrder } from '../../../orders/calculate-order.ts';
import { pointScaleOf } from '../../../orders/order-lines.ts';
import { parseGuestIdentifiers } from '../shapes/customer.ts';
import { calculatedOrderNode, foundGuestNode } from '../shapes/order-answer.ts';
import { parseOrderInput } from '../shapes/order.ts';
import { balanceTypeOf, noteUnknownProducts, orderContext } from './order-context.ts';
import type { OperationAnswer, OperationCall, OperationDeps, OperationHandler } from './types.ts';

async function calculateCart(call: OperationCall, deps: OperationDeps, authorized: boolean): Promise<OperationAnswer> {
  const balanceType = authorized ? balanceTypeOf(call, deps.project) : null;
  const order = parseOrderInput(deps.project, call.body, { pointScale: pointScaleOf(balanceType), requireTotalPrice: false, requireIdentifier: false });
  const guest = authorized ? parseGuestIdentifiers(deps.project, call.body.customer) : null;
  const calculation = await calculateOrder(deps.db, orderContext(call, deps), { order, guest, balanceType });
  const lookup = calculation.guest;
  if (lookup && lookup.status !== 'Found') deps.notes.push(`guest ${lookup.status}: calculated without personal promotions and points`);
  noteUnknownProducts(deps, order.externalSystem, calculation.pricing.unknownProducts);
  const named = Object.keys(order.ids).length > 0 || order.mindboxId;
  return {
    body: {
      ...(lookup ? { customer: lookup.status === 'Found' ? await foundGuestNode(deps.db, lookup.customer, deps.project) : { processingStatus: lookup.status } } : {}),
      order: {
        processingStatus: 'Calculated',
        ...(named ? { ids: { ...(order.mindboxId ? { mindboxId: order.mindboxId } : {}), ...order.ids } } : {}),
        ...calculatedOrderNode(calculation.pricing, order, calculation.balance ?? undefined),
      },
    },
    recordTransaction: false,
  };
}

export const calculateAuthorizedCart: OperationHandler = (call, deps) => calculateCart(call, deps, true);

export const calculateAnonymousCart: OperationHandler = (call, deps) => calculateCart(call, deps, false);
