// An order the POS took while it could not reach us: no discounts are calculated and nothing is spent; paid
// lines earn by the rules of the order's own time. Saving the same order again changes nothing, unless the
// order is a create whose answer the POS lost: the offline order then replaces it.
import { findCustomer, getCustomerById, type CustomerLookup, type CustomerRow, type GuestIdentifiers } from '../customers/customers.service.ts';
import type { Db } from '../db/database.ts';
import { releaseCoupons } from '../loyalty/coupons.service.ts';
import { refundSpend } from '../loyalty/ledger.service.ts';
import type { BalanceTypeDefinition, OrderLineStatusDefinition } from '../project/schemas.ts';
import { fromNumeric, toDecimal } from '../shared/money.ts';
import { earnedTarget, isSettled } from './line-points.ts';
import { historyRows, lineRowsOf, pointScaleOf, QUANTITY_SCALE } from './order-lines.ts';
import { applyOrderPoints } from './order-points.ts';
import type { OrderContext, OrderInput } from './order.types.ts';
import * as repository from './orders.repository.ts';
import { priceOrder } from './pricing.ts';
import { emitOrderEvent, findOrderForWrite, orderRefOf, saveOrder, sumOf } from './saved-orders.ts';

export interface OfflineOrderRequest {
  order: OrderInput;
  /** each line's status, checked by `newLineStatuses` */
  lineStatuses: OrderLineStatusDefinition[];
  /** the guest the POS named, if any: one that cannot be found leaves the order without a guest */
  guest: GuestIdentifiers | null;
  /** the balance type paid lines earn in; null: no points */
  balanceType: BalanceTypeDefinition | null;
  /** when the POS took the order: its rules apply */
  executedAt: Date;
}

export type OfflineResult =
  /** the order is known already: nothing changed */
  | { kind: 'AlreadyExists'; orderId: number; ids: Record<string, string> }
  | {
      kind: 'Created';
      orderId: number;
      ids: Record<string, string>;
      /** how the named guest was looked up (null: none named); an order whose guest is not `Found` is saved without one */
      guestLookup: CustomerLookup['status'] | null;
      unknownProducts: string[];
    }
  | {
      kind: 'Updated';
      orderId: number;
      ids: Record<string, string>;
      /** the create whose answer the POS lost, which the offline order replaced */
      replacedCreate: { ref: string; spentPoints: number; pointScale: 0 | 2; couponsReleased: number };
      unknownProducts: string[];
    };

/**
 * Saves an offline order. Saving the same order ids again changes nothing (`AlreadyExists`) unless the order
 * is a create whose answer the POS lost (see `lostCreateOf`): then the offline order replaces it (`Updated`).
 * A guest who cannot be found does not block the order: it is saved without a guest.
 */
export async function saveOfflineOrder(db: Db, ctx: OrderContext, request: OfflineOrderRequest): Promise<OfflineResult> {
  const { order } = request;
  const lookup = request.guest ? await findCustomer(db, request.guest) : null;

  const existing = await findOrderForWrite(db, order);
  if (existing) {
    const lost = await lostCreateOf(db, ctx, existing, lookup);
    if (lost) return settleLostCreate(db, ctx, request, lost);
    return { kind: 'AlreadyExists', orderId: existing.id, ids: existing.ids };
  }
  const customer = lookup?.status === 'Found' ? lookup.customer : null;
  const { orderId, unknownProducts } = await writeOfflineOrder(db, ctx, request, customer, undefined);
  return { kind: 'Created', orderId, ids: order.ids, guestLookup: lookup?.status ?? null, unknownProducts };
}

/**
 * Saves an offline order priced by the rules of its time (over `existing` when given, its lines replaced),
 * credits what its paid lines earn and tells `orderCreated` (a new order) and `orderPaid`.
 */
async function writeOfflineOrder(
  db: Db,
  ctx: OrderContext,
  request: OfflineOrderRequest,
  customer: CustomerRow | null,
  existing: repository.OrderWithIds | undefined,
): Promise<{ orderId: number; ids: Record<string, string>; unknownProducts: string[] }> {
  const { order, balanceType, executedAt: at } = request;
  const pricing = await priceOrder(db, ctx, order, { mode: 'offline', customer, balanceType, pointsAvailable: 0, at, lockCoupons: false });
  const { rows, states, earnings } = lineRowsOf(ctx, order, pricing.result, request.lineStatuses, { balanceType, at }, new Map());
  const orderId = await saveOrder(
    db,
    ctx,
    { order, pricing, kind: 'offline', customer, balanceType, existing, at, coupons: [] },
    rows,
    historyRows(ctx, states.map((state) => ({ state, quantity: state.quantity })), at),
    { type: 'orderCreated', ids: order.ids, data: { totalPrice: toDecimal(pricing.result.totalPrice), offline: true } },
  );
  const ids = existing ? await repository.identifiersOf(db, orderId) : order.ids;
  if (customer && balanceType) {
    await applyOrderPoints(db, ctx.project, {
      orderId,
      customerId: customer.id,
      balanceType,
      orderRef: orderRefOf(orderId, ids),
      spentDelta: 0,
      earnedDelta: sumOf(states.map(earnedTarget)),
      earnings: earnings.filter((_, index) => isSettled(states[index].category)).flat(),
      occasion: 'paid',
      at,
      now: ctx.now,
      operation: ctx.source.operation,
    });
  }
  const paid = states.filter((state) => isSettled(state.category));
  if (paid.length > 0) {
    await emitOrderEvent(db, ctx, customer?.id ?? null, at, {
      type: 'orderPaid',
      orderId,
      ids,
      data: { paidAmount: toDecimal(sumOf(paid.map((state) => state.discountedPrice))), offline: true },
    });
  }
  return { orderId, ids, unknownProducts: pricing.unknownProducts };
}

/** An online order left by a create whose answer the POS lost, with the guest it belongs to. */
interface LostCreate {
  order: repository.OrderWithIds;
  lines: repository.OrderLineRow[];
  customer: CustomerRow | null;
}

/**
 * Whether the order an offline order names is a create whose answer the POS lost: the POS then sold at full
 * price without points and queued this offline order for the same sale. That is so when the order was
 * created online through the same integration point, nothing happened to it since (every line still checked
 * out: nothing paid, returned or cancelled), and the offline order names the create's guest (or, for a guest,
 * identifiers that no longer find anyone: the phone changed meanwhile; an anonymous create matches an offline
 * order without a guest). Anything else is a true duplicate: null.
 */
async function lostCreateOf(db: Db, ctx: OrderContext, existing: repository.OrderWithIds, lookup: CustomerLookup | null): Promise<LostCreate | null> {
  if (existing.kind === 'offline' || existing.integration_point !== ctx.source.integrationPoint) return null;
  const lines = await repository.linesOf(db, existing.id);
  const untouched = lines.every(
    (line) => ctx.project.lineStatus(line.status)?.category === 'CheckedOut' && line.paid_at === null && fromNumeric(line.quantity_returned, QUANTITY_SCALE) === 0,
  );
  if (!untouched) return null;
  const named = lookup !== null && lookup.status !== 'NoIdentifiers';
  if (existing.customer_id === null) return named ? null : { order: existing, lines, customer: null };
  if (lookup?.status === 'Found') return lookup.customer.id === existing.customer_id ? { order: existing, lines, customer: lookup.customer } : null;
  if (!named) return null;
  const customer = await getCustomerById(db, existing.customer_id);
  return customer ? { order: existing, lines, customer } : null;
}

/**
 * The offline order replaces the create whose answer was lost, in the caller's transaction: the points the
 * create spent go back to the guest (a spend refund naming why), its coupons are released, the lines and
 * amounts become the offline order's, paid lines earn by the offline rules. The order is an offline order
 * from then on, so the same offline order again is `AlreadyExists` and a late create of it is refused.
 */
async function settleLostCreate(db: Db, ctx: OrderContext, request: OfflineOrderRequest, lost: LostCreate): Promise<OfflineResult> {
  const { project } = ctx;
  const { order: existing, lines, customer } = lost;
  const ref = orderRefOf(existing.id, existing.ids);
  const spentBalanceType = existing.balance_type ? (project.balanceType(existing.balance_type) ?? null) : null;
  const scale = pointScaleOf(spentBalanceType);
  const spent = sumOf(lines.map((line) => fromNumeric(line.points_spent_net, scale)));
  if (customer && spentBalanceType && spent > 0) {
    await refundSpend(
      db,
      project,
      {
        customerId: customer.id,
        balanceType: spentBalanceType,
        orderId: existing.id,
        amount: spent,
        reason: `Возврат списанных баллов: касса не получила ответ и провела заказ ${ref} без баллов, по полной цене`,
        now: ctx.now,
      },
      { source: 'operation', operation: ctx.source.operation, orderId: existing.id },
    );
  }
  const released = await releaseCoupons(db, existing.id);
  const { orderId, ids, unknownProducts } = await writeOfflineOrder(db, ctx, request, customer, existing);
  return {
    kind: 'Updated',
    orderId,
    ids,
    replacedCreate: { ref, spentPoints: spent, pointScale: scale, couponsReleased: released.length },
    unknownProducts,
  };
}
