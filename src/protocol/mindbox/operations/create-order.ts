// CreateAuthorizedOrder (Offline.CreateAuthorizedOrder) and CreateAnonymousOrder (Offline.CreateAnonymousOrder):
// calculate again, check the POS's total, save the order, spend points and record the points to earn.
import { createOrder } from '../../../orders/create-order.ts';
import { newLineStatuses, pointScaleOf } from '../../../orders/order-lines.ts';
import { protocolError } from '../../../shared/errors.ts';
import { parseGuestIdentifiers } from '../shapes/customer.ts';
import { calculatedOrderNode, foundGuestNode, priceChangedDescription, wireOrderIds } from '../shapes/order-answer.ts';
import { parseOrderInput } from '../shapes/order.ts';
import { balanceTypeOf, defaultLineStatusOf, noteUnknownProducts, orderContext } from './order-context.ts';
import type { OperationAnswer, OperationCall, OperationDeps, OperationHandler } from './types.ts';

async function create(call: OperationCall, deps: OperationDeps, authorized: boolean): Promise<OperationAnswer> {
  if (!call.transactionId) throw protocolError('creating an order needs a transactionId: add &transactionId=<GUID> to the URL');
  const { project } = deps;
  const balanceType = authorized ? balanceTypeOf(call, project) : null;
  const order = parseOrderInput(project, call.body, { pointScale: pointScaleOf(balanceType), requireTotalPrice: true, requireIdentifier: false });
  // refused in this order, as a POS has always seen it: the order, its lines' statuses, then the guest
  const lineStatuses = newLineStatuses(project, order.lines, defaultLineStatusOf(call, project));
  const guest = authorized ? parseGuestIdentifiers(project, call.body.customer) : null;
  const result = await createOrder(deps.db, orderContext(call, deps), { order, lineStatuses, guest, balanceType });
  noteUnknownProducts(deps, order.externalSystem, result.pricing.unknownProducts);

  const customer = result.customer ? { customer: foundGuestNode(result.customer, project) } : {};
  const calculated = calculatedOrderNode(result.pricing, order, result.balance ?? undefined);
  if (result.kind === 'PriceChanged') {
    const statusDescription = priceChangedDescription(order.totalPrice!, result.pricing.result.totalPrice);
    // nothing was saved: the POS recalculates and sends the order again under the same transactionId
    return { body: { ...customer, order: { processingStatus: 'PriceHasBeenChanged', statusDescription, ...calculated } }, recordTransaction: false };
  }
  const lines = calculated.lines.map((line, index) => ({ ...line, status: { ids: { externalId: result.lineStatuses[index] } } }));
  return { body: { ...customer, order: { processingStatus: result.kind, ids: wireOrderIds(result.orderId, result.ids), ...calculated, lines } } };
}

export const createAuthorizedOrder: OperationHandler = (call, deps) => create(call, deps, true);

export const createAnonymousOrder: OperationHandler = (call, deps) => create(call, deps, false);
