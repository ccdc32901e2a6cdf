// Creating an order, for a guest or for nobody: the bill is calculated again, checked against the POS's
// total, and the order saved with the points it spends and the points to earn; an order whose ids are known
// already is updated.
import type { CustomerRow, GuestIdentifiers } from '../customers/customers.service.ts';
import type { Db } from '../db/database.ts';
import type { BalanceMinor } from '../loyalty/balances.ts';
import { releaseCoupons, useCoupons } from '../loyalty/coupons.service.ts';
import { availableOf, balanceMinorOf, openBalance } from '../loyalty/ledger.service.ts';
import type { BalanceTypeDefinition, OrderLineStatusDefinition } from '../project/schemas.ts';
import { validationError } from '../shared/errors.ts';
import { fromNumeric, toDecimal } from '../shared/money.ts';
import { earnedTarget, isSettled, spentTarget } from './line-points.ts';
import { hasReturns, historyRows, lineRowsOf, pointScaleOf } from './order-lines.ts';
import { applyOrderPoints } from './order-points.ts';
import type { OrderContext, OrderInput } from './order.types.ts';
import * as repository from './orders.repository.ts';
import { priceOrder, type Pricing } from './pricing.ts';
import { emitOrderEvent, findOrderForWrite, lookUpGuest, orderRefOf, saveOrder, sumOf } from './saved-orders.ts';

export interface NewOrderRequest {
  order: OrderInput;
  /** each line's status, checked by `newLineStatuses` */
  lineStatuses: OrderLineStatusDefinition[];
  /** the guest of an authorized order; null for an anonymous one */
  guest: GuestIdentifiers | null;
  /** the balance type the guest's points are in; null: no points */
  balanceType: BalanceTypeDefinition | null;
}

export type CreateResult =
  /** the bill differs from the POS's `totalPrice`: nothing was saved */
  | { kind: 'PriceChanged'; customer: CustomerRow | null; pricing: Pricing; balance: BalanceMinor | null }
  | {
      kind: 'Created' | 'Updated';
      orderId: number;
      /** the order's identifier fields, all of them for an updated order */
      ids: Record<string, string>;
      customer: CustomerRow | null;
      pricing: Pricing;
      /** the guest's balance after the order */
      balance: BalanceMinor | null;
      /** each line's status external id */
      lineStatuses: string[];
    };

/**
 * The bill is calculated again under the guest's balance lock; when it differs from the POS's `totalPrice`
 * nothing is saved (`PriceChanged`). An order whose ids are known already is updated: the lines are replaced,
 * the points spent and earned are brought to what the new calculation says, and its coupons are used anew.
 */
export async function createOrder(db: Db, ctx: OrderContext, request: NewOrderRequest): Promise<CreateResult> {
  const { project } = ctx;
  const { order, balanceType, lineStatuses: statuses } = request;

  let customer: CustomerRow | null = null;
  if (request.guest) {
    const lookup = await lookUpGuest(db, request.guest);
    if (lookup.status === 'NotFound') throw validationError({ location: '/customer', message: 'there is no such guest: register the guest or create an anonymous order' });
    if (lookup.status === 'Ambiguous') throw validationError({ location: '/customer', message: 'the identifiers name different guests' });
    customer = lookup.customer;
  }

  const existing = await findOrderForWrite(db, order);
  const previous = existing ? await repository.linesOf(db, existing.id) : [];
  if (existing) {
    if (existing.customer_id !== (customer?.id ?? null)) {
      throw validationError({ location: '/customer', message: 'this order belongs to another guest (or to none); it cannot be moved' });
    }
    if (existing.kind === 'offline') throw validationError({ location: '/order/ids', message: 'this order was saved as an offline order; it cannot be changed' });
    if (hasReturns(previous)) throw validationError({ location: '/order/ids', message: 'this order has returns; it cannot be changed any more' });
  }
  const previousScale = pointScaleOf(existing?.balance_type ? project.balanceType(existing.balance_type) : null);
  const previousSpent = sumOf(previous.map((line) => fromNumeric(line.points_spent_net, previousScale)));
  const previousEarned = sumOf(previous.map((line) => fromNumeric(line.points_earned_net, previousScale)));

  const locked = customer !== null && balanceType !== null ? await openBalance(db, project, customer.id, balanceType, ctx.now) : null;
  const available = locked ? availableOf(locked, ctx.now) + Math.max(previousSpent, 0) : 0;
  const pricing = await priceOrder(db, ctx, order, {
    mode: customer ? 'authorized' : 'anonymous',
    customer,
    balanceType,
    pointsAvailable: available,
    at: ctx.now,
    lockCoupons: true,
    ...(existing ? { exceptOrderId: existing.id } : {}),
  });

  if (pricing.result.totalPrice !== order.totalPrice) {
    return { kind: 'PriceChanged', customer, pricing, balance: locked ? balanceMinorOf(locked, ctx.now) : null };
  }

  const usedCoupons = pricing.result.coupons.filter((coupon) => coupon.status === 'CanBeUsed').map((coupon) => coupon.code);
  const paidBefore = new Map(previous.filter((line) => line.paid_at).map((line) => [line.line_number, line.paid_at as Date]));
  const { rows, states, earnings } = lineRowsOf(ctx, order, pricing.result, statuses, { balanceType, at: ctx.now }, paidBefore);
  const orderId = await saveOrder(
    db,
    ctx,
    { order, pricing, kind: request.guest ? 'authorized' : 'anonymous', customer, balanceType, existing, at: ctx.now, coupons: usedCoupons },
    rows,
    historyRows(ctx, states.map((state) => ({ state, quantity: state.quantity })), ctx.now),
    { type: 'orderCreated', ids: order.ids, data: { totalPrice: toDecimal(pricing.result.totalPrice) } },
  );

  const ids = existing ? { ...(await repository.identifiersOf(db, orderId)) } : order.ids;
  if (locked) {
    await applyOrderPoints(db, project, {
      balance: locked,
      orderId,
      customerId: locked.customerId,
      balanceType: locked.balanceType,
      orderRef: orderRefOf(orderId, ids),
      spentDelta: sumOf(states.map(spentTarget)) - previousSpent,
      earnedDelta: sumOf(states.map(earnedTarget)) - previousEarned,
      earnings: earnings.filter((_, index) => isSettled(states[index].category)).flat(),
      occasion: existing ? 'updated' : 'created',
      at: ctx.now,
      now: ctx.now,
      operation: ctx.source.operation,
    });
  }
  if (existing) await releaseCoupons(db, orderId);
  await useCoupons(db, usedCoupons, customer?.id ?? null, orderId, ctx.now);

  const newlyPaid = states.filter((state) => isSettled(state.category) && !paidBefore.has(state.lineNumber));
  if (newlyPaid.length > 0) {
    await emitOrderEvent(db, ctx, customer?.id ?? null, ctx.now, {
      type: 'orderPaid',
      orderId,
      ids,
      data: { paidAmount: toDecimal(sumOf(newlyPaid.map((state) => state.discountedPrice))) },
    });
  }

  return {
    kind: existing ? 'Updated' : 'Created',
    orderId,
    ids,
    customer,
    pricing,
    balance: locked ? balanceMinorOf(locked, ctx.now) : null,
    lineStatuses: statuses.map((status) => status.externalId),
  };
}
