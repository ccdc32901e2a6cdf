// CalculateAuthorizedCart (Offline.AuthorizedPreorder) and CalculateAnonymousCart (Offline.AnonymousPreorder):
// the bill with discounts, points to spend and to earn. Saves nothing.
import { calculateOrder } from '../../../orders/calculate-order.ts';
import { pointScaleOf } from '../../../orders/order-lines.ts';
import { parseGuestIdentifiers } from '../shapes/customer.ts';
import { calculatedOrderNode, foundGuestNode } from '../shapes/order-answer.ts';
import { parseOrderInput } from '../shapes/order.ts';
import { balanceTypeOf, noteUnknownProducts, orderContext } from './order-context.ts';
import type { GuestIdentifiers } from '../../../customers/customers.service.ts';
import type { OrderInput } from '../../../orders/order.types.ts';
import type { BalanceTypeDefinition } from '../../../project/schemas.ts';
import { operation, type OperationAnswer, type OperationCall, type OperationDeps, type ReadContext } from './types.ts';

interface CartRequest {
  order: OrderInput;
  guest: GuestIdentifiers | null;
  balanceType: BalanceTypeDefinition | null;
}

function readCart(call: OperationCall, { project }: ReadContext, authorized: boolean): CartRequest {
  const balanceType = authorized ? balanceTypeOf(call, project) : null;
  const order = parseOrderInput(project, call.body, { pointScale: pointScaleOf(balanceType), requireTotalPrice: false, requireIdentifier: false });
  const guest = authorized ? parseGuestIdentifiers(project, call.body.customer) : null;
  return { order, guest, balanceType };
}

async function calculateCart(call: OperationCall, deps: OperationDeps, { order, guest, balanceType }: CartRequest): Promise<OperationAnswer> {
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

export const calculateAuthorizedCart = operation({ read: (call, context) => readCart(call, context, true), run: calculateCart });

export const calculateAnonymousCart = operation({ read: (call, context) => readCart(call, context, false), run: calculateCart });
