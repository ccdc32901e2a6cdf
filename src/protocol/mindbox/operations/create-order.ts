// CreateAuthorizedOrder (Offline.CreateAuthorizedOrder) and CreateAnonymousOrder (Offline.CreateAnonymousOrder):
// calculate again, check the POS's total, save the order, spend points and record the points to earn. Without a
// transactionId a create is kept from spending twice by the order's own ids: the same ids again update the order
// they name (decision 0017).
import { createOrder } from '../../../orders/create-order.ts';
import { newLineStatuses, pointScaleOf } from '../../../orders/order-lines.ts';
import { orderRefOf } from '../../../orders/saved-orders.ts';
import { validationError } from '../../../shared/errors.ts';
import { parseGuestIdentifiers } from '../shapes/customer.ts';
import { calculatedOrderNode, foundGuestNode, priceChangedDescription, wireOrderIds } from '../shapes/order-answer.ts';
import { parseOrderInput } from '../shapes/order.ts';
import { balanceTypeOf, defaultLineStatusOf, noteUnknownProducts, orderContext } from './order-context.ts';
import type { GuestIdentifiers } from '../../../customers/customers.service.ts';
import type { OrderInput } from '../../../orders/order.types.ts';
import type { BalanceTypeDefinition } from '../../../project/schemas.ts';
import { operation, type OperationAnswer, type OperationCall, type OperationDeps, type ReadContext } from './types.ts';

interface CreateRequest {
  order: OrderInput;
  lineStatuses: ReturnType<typeof newLineStatuses>;
  guest: GuestIdentifiers | null;
  balanceType: BalanceTypeDefinition | null;
}

function readCreate(call: OperationCall, { project }: ReadContext, authorized: boolean): CreateRequest {
  const balanceType = authorized ? balanceTypeOf(call, project) : null;
  const order = parseOrderInput(project, call.body, { pointScale: pointScaleOf(balanceType), requireTotalPrice: true, requireIdentifier: false });
  if (!call.transactionId && Object.keys(order.ids).length === 0 && order.mindboxId === undefined) {
    // nothing would tell a repeat of this call from a second sale: each would spend the guest's points again
    throw validationError({
      location: '/order/ids',
      message: `an order created without a transactionId needs its own id, so that sending it again does not create it twice: {"ids": {"${project.orderIdentifierFields()[0] ?? 'externalId'}": "…"}}, or add &transactionId=<GUID> to the URL`,
    });
  }
  // refused in this order, as a POS has always seen it: the order, its lines' statuses, then the guest
  const lineStatuses = newLineStatuses(project, order.lines, defaultLineStatusOf(call, project));
  const guest = authorized ? parseGuestIdentifiers(project, call.body.customer) : null;
  return { order, lineStatuses, guest, balanceType };
}

async function create(call: OperationCall, deps: OperationDeps, request: CreateRequest): Promise<OperationAnswer> {
  const { project } = deps;
  const { order } = request;
  const result = await createOrder(deps.db, orderContext(call, deps), request);
  noteUnknownProducts(deps, order.externalSystem, result.pricing.unknownProducts);

  const customer = result.customer ? { customer: await foundGuestNode(deps.db, result.customer, project) } : {};
  const calculated = calculatedOrderNode(result.pricing, order, result.balance ?? undefined);
  if (result.kind === 'PriceChanged') {
    const statusDescription = priceChangedDescription(order.totalPrice!, result.pricing.result.totalPrice);
    // nothing was saved: the POS recalculates and sends the order again under the same transactionId
    return { body: { ...customer, order: { processingStatus: 'PriceHasBeenChanged', statusDescription, ...calculated } }, recordTransaction: false };
  }
  if (result.kind === 'Updated' && !call.transactionId) {
    deps.notes.push(`no transactionId: order ${orderRefOf(result.orderId, result.ids)} is known by its ids, so this create updated it (decision 0017)`);
  }
  const lines = calculated.lines.map((line, index) => ({ ...line, status: { ids: { externalId: result.lineStatuses[index] } } }));
  return { body: { ...customer, order: { processingStatus: result.kind, ids: wireOrderIds(result.orderId, result.ids), ...calculated, lines } } };
}

export const createAuthorizedOrder = operation({ read: (call, context) => readCreate(call, context, true), run: create });

export const createAnonymousOrder = operation({ read: (call, context) => readCreate(call, context, false), run: create });
