// Orders from preorder to return: calculate a bill, create or update an order (spending points, recording
// the points to earn), save an order taken offline, change line statuses (pay: credit the earned points;
// return: take them back and give back the spent ones in proportion). Every function runs in the
// caller's transaction; its ledger entries, coupon uses and events commit with it.
import { findCustomer, getCustomerById, guestView, type CustomerLookup, type CustomerRow, type GuestIdentifiers } from '../customers/customers.service.ts';
import { customerNode as wireCustomerNode } from '../wire/customer.ts';
import type { Db } from '../db/database.ts';
import type { OrderKind } from '../db/schema.ts';
import { emitEvent, type DomainEvent } from '../jobs/outbox.ts';
import { customerBalancesMinor, pointScale, type BalanceMinor } from '../loyalty/balances.ts';
import type { CalculationMode, CartResult } from '../loyalty/calculate.ts';
import { releaseCoupons, useCoupons } from '../loyalty/coupons.service.ts';
import { availableOf, balanceMinorOf, openBalance, refundSpend } from '../loyalty/ledger.service.ts';
import type { BalanceTypeDefinition, OrderLineStatusDefinition, ScenarioEvent } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { protocolError, validationError, type ValidationMessage } from '../shared/errors.ts';
import { fromNumeric, parseMinor, toDecimal, toNumericString } from '../shared/money.ts';
import {
  amountReturned,
  earnedTarget,
  isSettled,
  remainingOf,
  spentTarget,
  transition,
  type LineState,
} from './line-points.ts';
import { applyOrderPoints, type LineEarning, type PointsOccasion } from './order-points.ts';
import { executionTimeOf, isObject, listOf, parseCustomFields, parseOrderIds, parseOrderInput, statusText, type OrderInput } from './order-input.ts';
import * as repository from './orders.repository.ts';
import { balanceTypeOf, priceOrder, wireOrderOf, type OrderCallContext, type Pricing } from './pricing.ts';

export type { OrderCallContext } from './pricing.ts';

export interface OrderAnswer {
  body: Record<string, unknown>;
  /** false when nothing was saved (a calculation, a changed price) */
  recordTransaction: boolean;
}

const QUANTITY_SCALE = 3;

function scaleOf(balanceType: BalanceTypeDefinition | null | undefined): 0 | 2 {
  return balanceType ? pointScale(balanceType) : 0;
}

/** The guest an authorized operation names: a `customer` node must be there and find exactly one guest. */
async function lookUpGuest(db: Db, guest: GuestIdentifiers) {
  const lookup = await findCustomer(db, guest);
  if (lookup.status === 'NoIdentifiers') {
    throw validationError({ location: '/customer', message: "give the guest's mobilePhone, discountCard.ids.number or ids" });
  }
  return lookup;
}

function customerNode(customer: CustomerRow, project: ProjectSnapshot): Record<string, unknown> {
  return { processingStatus: 'Found', ...wireCustomerNode(guestView(customer, project)) };
}

function wireIds(orderId: number, ids: Record<string, string>): Record<string, unknown> {
  return { mindboxId: orderId, ...ids };
}

/** How a person names an order: the POS's number, or ours. */
function orderRefOf(orderId: number, ids: Record<string, string>): string {
  return Object.values(ids)[0] ?? `№${orderId}`;
}

async function balanceOf(db: Db, project: ProjectSnapshot, customer: CustomerRow | null, balanceType: BalanceTypeDefinition | null, at: Date): Promise<BalanceMinor | null> {
  if (!customer || !balanceType) return null;
  const [balance] = await customerBalancesMinor(db, project, customer.id, [balanceType.systemName], at);
  return balance ?? null;
}

// ---- Preorder ----

/** CalculateAuthorizedCart / CalculateAnonymousCart: the bill with discounts and points; saves nothing. */
export async function calculateOrder(db: Db, ctx: OrderCallContext, body: Record<string, unknown>, guest: GuestIdentifiers | null): Promise<OrderAnswer> {
  const authorized = guest !== null;
  const { project } = ctx;
  const balanceType = authorized ? balanceTypeOf(ctx) : null;
  const order = parseOrderInput(project, body, { pointScale: scaleOf(balanceType), requireTotalPrice: false, requireIdentifier: false });
  let customer: CustomerRow | null = null;
  let guestNode: Record<string, unknown> | undefined;
  if (authorized) {
    const lookup = await lookUpGuest(db, guest);
    if (lookup.status === 'Found') customer = lookup.customer;
    guestNode = lookup.status === 'Found' ? customerNode(lookup.customer, project) : { processingStatus: lookup.status };
    if (lookup.status !== 'Found') ctx.notes.push(`guest ${lookup.status}: calculated without personal promotions and points`);
  }
  const balance = await balanceOf(db, project, customer, balanceType, ctx.now);
  const saved = await updatableOrder(db, project, order, customer);
  const pricing = await priceOrder(db, ctx, order, {
    mode: customer ? 'authorized' : 'anonymous',
    customer,
    balanceType,
    pointsAvailable: (balance?.available ?? 0) + (saved?.spent ?? 0),
    at: ctx.now,
    lockCoupons: false,
    ...(saved ? { exceptOrderId: saved.id } : {}),
  });
  const idsNode = Object.keys(order.ids).length > 0 || order.mindboxId ? { ids: { ...(order.mindboxId ? { mindboxId: order.mindboxId } : {}), ...order.ids } } : {};
  return {
    body: {
      ...(guestNode ? { customer: guestNode } : {}),
      order: { processingStatus: 'Calculated', ...idsNode, ...wireOrderOf(pricing, order, balance) },
    },
    recordTransaction: false,
  };
}

/**
 * A saved order a preorder recalculates (same ids, same guest, no returns): what it spent counts as
 * available and its coupons as its own, exactly as the create that will update it sees them.
 */
async function updatableOrder(db: Db, project: ProjectSnapshot, order: OrderInput, customer: CustomerRow | null): Promise<{ id: number; spent: number } | null> {
  if (Object.keys(order.ids).length === 0 && order.mindboxId === undefined) return null;
  const ids = await repository.findOrderIdsByIdentifiers(db, order.ids);
  const id = ids.length === 1 ? ids[0] : ids.length === 0 ? order.mindboxId : undefined;
  if (id === undefined || (order.mindboxId !== undefined && order.mindboxId !== id)) return null;
  const saved = await repository.getOrder(db, id);
  if (!saved || saved.kind === 'offline' || saved.customer_id !== (customer?.id ?? null)) return null;
  const lines = await repository.linesOf(db, id);
  if (lines.some((line) => fromNumeric(line.quantity_returned, QUANTITY_SCALE) > 0)) return null;
  const scale = scaleOf(saved.balance_type ? project.balanceType(saved.balance_type) : null);
  return { id, spent: Math.max(sumOf(lines.map((line) => fromNumeric(line.points_spent_net, scale))), 0) };
}

// ---- Create or update ----

/** The status each new line gets: its own, or the operation's default; only unpaid or paid lines may be created. */
function resolveLineStatuses(ctx: OrderCallContext, order: OrderInput): OrderLineStatusDefinition[] {
  const { project } = ctx;
  const configured = (ctx.operation.settings as { defaultLineStatus?: string }).defaultLineStatus;
  const fallback = (configured ? project.lineStatus(configured) : undefined) ?? project.lineStatusesOf('CheckedOut')[0];
  const problems: ValidationMessage[] = [];
  const statuses = order.lines.map((line, index) => {
    const status = line.status ? project.lineStatus(line.status) : fallback;
    if (!status) {
      problems.push({ location: `/order/lines/${index}/status`, message: 'give the line status: the project has no default status for new lines' });
      return undefined;
    }
    if (status.category === 'Return' || status.category === 'Cancelled') {
      problems.push({ location: `/order/lines/${index}/status`, message: `a new order line is checked out or paid, not "${status.externalId}"; change statuses with Offline.ChangeStatus or Offline.Return` });
    }
    return status;
  });
  if (problems.length > 0) throw validationError(problems);
  return statuses as OrderLineStatusDefinition[];
}

/** The order these ids name, locked for the rest of the transaction; `undefined` when there is none yet. */
async function findOrderForWrite(db: Db, order: Pick<OrderInput, 'ids' | 'mindboxId'>): Promise<repository.OrderWithIds | undefined> {
  await repository.lockOrderKeys(db, Object.entries(order.ids).map(([field, value]) => `${field}=${value}`));
  const found = await repository.lockOrdersNamed(db, order.ids, order.mindboxId);
  const byIdentifiers = found.filter((row) => namedBy(row, order.ids));
  if (order.mindboxId !== undefined && !byIdentifiers.some((row) => row.id === order.mindboxId)) {
    if (byIdentifiers.length > 0) throw validationError({ location: '/order/ids', message: 'the identifiers name different orders' });
    const byId = found.find((row) => row.id === order.mindboxId);
    if (!byId) throw validationError({ location: '/order/ids/mindboxId', message: `there is no order ${order.mindboxId}` });
    return byId;
  }
  if (byIdentifiers.length > 1) throw validationError({ location: '/order/ids', message: 'the identifiers name different orders' });
  return byIdentifiers[0];
}

/** Whether one of these identifier values is the order's. */
function namedBy(order: repository.OrderWithIds, ids: Record<string, string>): boolean {
  return Object.entries(ids).some(([field, value]) => order.ids[field] === value);
}

interface LineRowContext {
  balanceType: BalanceTypeDefinition | null;
  at: Date;
}

/** The rows of an order's lines as the calculation priced them, with the points each spends and earns. */
function lineRowsOf(
  ctx: OrderCallContext,
  order: OrderInput,
  result: CartResult,
  statuses: OrderLineStatusDefinition[],
  rowContext: LineRowContext,
  paidBefore: Map<number, Date>,
): { rows: repository.NewLine[]; states: LineState[]; earnings: LineEarning[][] } {
  const scale = scaleOf(rowContext.balanceType);
  const promotionLifetime = new Map(
    ctx.project.definition.promotions.map((promotion) => [promotion.systemName, promotion.kind === 'earnPoints' ? promotion.lifetimeDays : undefined]),
  );
  const rows: repository.NewLine[] = [];
  const states: LineState[] = [];
  const earnings: LineEarning[][] = [];
  order.lines.forEach((line, index) => {
    const priced = result.lines[index];
    const status = statuses[index];
    let spent = 0;
    const lineEarnings: LineEarning[] = [];
    for (const applied of priced.appliedPromotions) {
      if (applied.type === 'spentBonusPoints') spent += applied.points;
      if (applied.type === 'earnedBonusPoints') {
        const lifetime = promotionLifetime.get(applied.promotion.externalId);
        lineEarnings.push({
          promotion: applied.promotion.externalId,
          name: applied.promotion.name,
          points: applied.points,
          lifetimeDays: lifetime === undefined ? (rowContext.balanceType?.lifetimeDays ?? null) : lifetime,
        });
      }
    }
    const earned = lineEarnings.reduce((sum, earning) => sum + earning.points, 0);
    const state: LineState = {
      lineNumber: line.lineNumber,
      status: status.externalId,
      category: status.category,
      quantity: line.quantity,
      quantityReturned: 0,
      quantityRefunded: 0,
      pointsSpent: spent,
      pointsEarned: earned,
      discountedPrice: priced.discountedPriceOfLine,
    };
    const settledAt = isSettled(status.category) ? (paidBefore.get(line.lineNumber) ?? rowContext.at) : null;
    rows.push({
      line_number: line.lineNumber,
      line_id: line.lineId ?? null,
      product_id: line.productId,
      quantity: toNumericString(line.quantity, QUANTITY_SCALE),
      base_price_per_item: toNumericString(line.basePricePerItem),
      min_price_per_item: line.minPricePerItem === undefined ? null : toNumericString(line.minPricePerItem),
      line_total: toNumericString(priced.lineTotal),
      discounted_price: toNumericString(priced.discountedPriceOfLine),
      status: status.externalId,
      points_spent: toNumericString(spent, scale),
      points_spent_net: toNumericString(spentTarget(state), scale),
      points_earned: toNumericString(earned, scale),
      points_earned_net: toNumericString(earnedTarget(state), scale),
      earnings: JSON.stringify(lineEarnings),
      applied_promotions: JSON.stringify(priced.appliedPromotions),
      custom_fields: JSON.stringify(line.customFields),
      paid_at: settledAt,
    });
    states.push(state);
    earnings.push(lineEarnings);
  });
  return { rows, states, earnings };
}

function lineStateOf(row: repository.OrderLineRow, project: ProjectSnapshot, scale: 0 | 2): LineState {
  return {
    lineNumber: row.line_number,
    status: row.status,
    category: project.lineStatus(row.status)?.category ?? 'CheckedOut',
    quantity: fromNumeric(row.quantity, QUANTITY_SCALE),
    quantityReturned: fromNumeric(row.quantity_returned, QUANTITY_SCALE),
    quantityRefunded: fromNumeric(row.quantity_refunded, QUANTITY_SCALE),
    pointsSpent: fromNumeric(row.points_spent, scale),
    pointsEarned: fromNumeric(row.points_earned, scale),
    discountedPrice: fromNumeric(row.discounted_price),
  };
}

const sumOf = (values: number[]) => values.reduce((total, value) => total + value, 0);

interface DomainEventData {
  type: ScenarioEvent;
  /** left out for an order being inserted: the insert sets it */
  orderId?: number;
  ids: Record<string, string>;
  data: Record<string, unknown>;
}

/** The events of an order with a guest (an anonymous order has none). */
function orderEvents(ctx: OrderCallContext, customerId: number | null, at: Date, events: DomainEventData[]): DomainEvent[] {
  if (customerId === null) return [];
  return events.map((event) => ({
    type: event.type,
    customerId,
    operation: ctx.operation.systemName,
    integrationPoint: ctx.integrationPoint.systemName,
    at: at.toISOString(),
    data: { ...(event.orderId === undefined ? {} : { orderId: event.orderId }), ids: event.ids, ...event.data },
  }));
}

async function emitOrderEvent(db: Db, ctx: OrderCallContext, customerId: number | null, at: Date, event: DomainEventData): Promise<void> {
  for (const domainEvent of orderEvents(ctx, customerId, at, [event])) await emitEvent(db, domainEvent);
}

function priceChangedDescription(sent: number, calculated: number): string {
  const roubles = (kopecks: number) => toDecimal(kopecks).toFixed(2).replace('.', ',');
  return `Сумма заказа изменилась: касса передала ${roubles(sent)} ₽, а по текущим условиям получается ${roubles(calculated)} ₽. Пересчитайте заказ и отправьте его снова.`;
}

/**
 * CreateAuthorizedOrder / CreateAnonymousOrder. The bill is calculated again under the guest's balance
 * lock; when it differs from the POS's `totalPrice` nothing is saved and the answer is PriceHasBeenChanged.
 * An order whose ids are known already is updated: the lines are replaced, the points spent and earned
 * are brought to what the new calculation says, and its coupons are used anew.
 */
export async function createOrder(db: Db, ctx: OrderCallContext, body: Record<string, unknown>, guest: GuestIdentifiers | null): Promise<OrderAnswer> {
  const authorized = guest !== null;
  const { project } = ctx;
  if (!ctx.transactionId) throw protocolError('creating an order needs a transactionId: add &transactionId=<GUID> to the URL');
  const balanceType = authorized ? balanceTypeOf(ctx) : null;
  const order = parseOrderInput(project, body, { pointScale: scaleOf(balanceType), requireTotalPrice: true, requireIdentifier: false });
  const statuses = resolveLineStatuses(ctx, order);

  let customer: CustomerRow | null = null;
  if (authorized) {
    const lookup = await lookUpGuest(db, guest);
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
    if (previous.some((line) => fromNumeric(line.quantity_returned, QUANTITY_SCALE) > 0)) {
      throw validationError({ location: '/order/ids', message: 'this order has returns; it cannot be changed any more' });
    }
  }
  const previousScale = scaleOf(existing?.balance_type ? project.balanceType(existing.balance_type) : null);
  const previousSpent = sumOf(previous.map((line) => fromNumeric(line.points_spent_net, previousScale)));
  const previousEarned = sumOf(previous.map((line) => fromNumeric(line.points_earned_net, previousScale)));

  const locked = customer !== null && balanceType !== null ? await openBalance(db, project, customer.id, balanceType, ctx.now) : null;
  const available = locked ? availableOf(locked, ctx.now) + Math.max(previousSpent, 0) : 0;
  const mode: CalculationMode = customer ? 'authorized' : 'anonymous';
  const pricing = await priceOrder(db, ctx, order, {
    mode,
    customer,
    balanceType,
    pointsAvailable: available,
    at: ctx.now,
    lockCoupons: true,
    ...(existing ? { exceptOrderId: existing.id } : {}),
  });

  if (pricing.result.totalPrice !== order.totalPrice) {
    const balance = locked ? balanceMinorOf(locked, ctx.now) : null;
    return {
      body: {
        ...(customer ? { customer: customerNode(customer, project) } : {}),
        order: {
          processingStatus: 'PriceHasBeenChanged',
          statusDescription: priceChangedDescription(order.totalPrice!, pricing.result.totalPrice),
          ...wireOrderOf(pricing, order, balance),
        },
      },
      recordTransaction: false,
    };
  }

  const usedCoupons = pricing.result.coupons.filter((coupon) => coupon.status === 'CanBeUsed').map((coupon) => coupon.code);
  const paidBefore = new Map(previous.filter((line) => line.paid_at).map((line) => [line.line_number, line.paid_at as Date]));
  const { rows, states, earnings } = lineRowsOf(ctx, order, pricing.result, statuses, { balanceType, at: ctx.now }, paidBefore);
  const orderId = await saveOrder(
    db,
    ctx,
    { order, pricing, kind: authorized ? 'authorized' : 'anonymous', customer, balanceType, existing, at: ctx.now, coupons: usedCoupons },
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
      operation: ctx.operation.systemName,
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

  const wire = wireOrderOf(pricing, order, locked ? balanceMinorOf(locked, ctx.now) : null);
  return {
    body: {
      ...(customer ? { customer: customerNode(customer, project) } : {}),
      order: {
        processingStatus: existing ? 'Updated' : 'Created',
        ids: wireIds(orderId, ids),
        ...wire,
        lines: wire.lines.map((line, index) => ({ ...line, status: { ids: { externalId: statuses[index].externalId } } })),
      },
    },
    recordTransaction: true,
  };
}

interface SaveOrderInput {
  order: OrderInput;
  pricing: Pricing;
  kind: OrderKind;
  customer: CustomerRow | null;
  balanceType: BalanceTypeDefinition | null;
  existing: repository.OrderWithIds | undefined;
  at: Date;
  /** coupon codes the order uses */
  coupons: string[];
}

/**
 * Inserts the order (or updates the existing one, replacing its lines) with its identifiers and lines; returns
 * its id. A new order is announced with `created` (for its guest) in the same statement.
 */
async function saveOrder(
  db: Db,
  ctx: OrderCallContext,
  input: SaveOrderInput,
  lines: repository.NewLine[],
  history: repository.NewHistory[],
  created: DomainEventData,
): Promise<number> {
  const { order, pricing } = input;
  const values = {
    customer_id: input.customer?.id ?? null,
    kind: input.kind,
    balance_type: input.customer && input.balanceType ? input.balanceType.systemName : null,
    point_of_contact: order.pointOfContact ?? null,
    cashdesk: order.cashdesk ?? null,
    integration_point: ctx.integrationPoint.systemName,
    operation: ctx.operation.systemName,
    custom_fields: JSON.stringify(order.customFields),
    payments: JSON.stringify(order.payments.map((payment) => ({ type: payment.type, amount: toDecimal(payment.amount) }))),
    coupons: JSON.stringify(input.coupons),
    subtotal: toNumericString(pricing.result.subtotal),
    discount_total: toNumericString(pricing.result.discountTotal),
    total_price: toNumericString(pricing.result.totalPrice),
    executed_at: input.at,
    updated_at: ctx.now,
  };
  if (input.existing) {
    await repository.updateOrder(db, input.existing.id, values);
    await repository.insertIdentifiers(db, input.existing.id, order.ids);
    await repository.deleteLines(db, input.existing.id);
    await repository.insertLines(db, input.existing.id, lines, history);
    return input.existing.id;
  }
  return repository.insertOrder(db, { ...values, created_at: ctx.now }, order.ids, lines, history, orderEvents(ctx, input.customer?.id ?? null, input.at, [created]));
}

function historyRows(ctx: OrderCallContext, changes: { state: LineState; quantity: number }[], at: Date): repository.NewHistory[] {
  return changes.map(({ state, quantity }) => ({
    line_number: state.lineNumber,
    status: state.status,
    quantity: toNumericString(quantity, QUANTITY_SCALE),
    operation: ctx.operation.systemName,
    transaction_id: ctx.transactionId,
    at,
  }));
}

// ---- Offline orders ----

/**
 * SaveOfflineOrder: an order the POS took while it could not reach us. No discounts are calculated and
 * nothing is spent; paid lines earn by the rules of the order's own time. Saving the same order ids again
 * changes nothing (`AlreadyExists`) unless the order is a create whose answer the POS lost (see
 * `lostCreateOf`): then the offline order replaces it (`Updated`). A guest who cannot be found does not
 * block the order: it is saved without a guest.
 */
export async function saveOfflineOrder(db: Db, ctx: OrderCallContext, body: Record<string, unknown>, guest: GuestIdentifiers | null): Promise<OrderAnswer> {
  const { project } = ctx;
  const at = executionTimeOf(body, ctx.now);
  const balanceType = balanceTypeOf(ctx);
  const order = parseOrderInput(project, body, { pointScale: scaleOf(balanceType), requireTotalPrice: false, requireIdentifier: true });
  const statuses = resolveLineStatuses(ctx, order);
  const lookup = guest ? await findCustomer(db, guest) : null;

  const existing = await findOrderForWrite(db, order);
  if (existing) {
    const lost = await lostCreateOf(db, ctx, existing, lookup);
    if (lost) return settleLostCreate(db, ctx, { order, statuses, balanceType, at, lost });
    ctx.notes.push(`offline order ${orderRefOf(existing.id, order.ids)} is known already (order ${existing.id}); nothing changed`);
    return { body: { order: { processingStatus: 'AlreadyExists', ids: wireIds(existing.id, existing.ids) } }, recordTransaction: true };
  }
  const customer = lookup?.status === 'Found' ? lookup.customer : null;
  if (lookup && lookup.status !== 'Found' && lookup.status !== 'NoIdentifiers') ctx.notes.push(`offline order saved without a guest: guest ${lookup.status}`);
  const { orderId } = await writeOfflineOrder(db, ctx, { order, statuses, customer, balanceType, at, existing: undefined });
  return { body: { order: { processingStatus: 'Created', ids: wireIds(orderId, order.ids) } }, recordTransaction: true };
}

interface OfflineOrderInput {
  order: OrderInput;
  statuses: OrderLineStatusDefinition[];
  customer: CustomerRow | null;
  balanceType: BalanceTypeDefinition | null;
  at: Date;
  /** the order it replaces (a lost create), locked */
  existing: repository.OrderWithIds | undefined;
}

/**
 * Saves an offline order priced by the rules of its time (over `existing` when given, its lines replaced),
 * credits what its paid lines earn and tells `orderCreated` (a new order) and `orderPaid`.
 */
async function writeOfflineOrder(db: Db, ctx: OrderCallContext, input: OfflineOrderInput): Promise<{ orderId: number; ids: Record<string, string> }> {
  const { order, customer, balanceType, at, existing } = input;
  const pricing = await priceOrder(db, ctx, order, { mode: 'offline', customer, balanceType, pointsAvailable: 0, at, lockCoupons: false });
  const { rows, states, earnings } = lineRowsOf(ctx, order, pricing.result, input.statuses, { balanceType, at }, new Map());
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
      operation: ctx.operation.systemName,
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
  return { orderId, ids };
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
async function lostCreateOf(db: Db, ctx: OrderCallContext, existing: repository.OrderWithIds, lookup: CustomerLookup | null): Promise<LostCreate | null> {
  if (existing.kind === 'offline' || existing.integration_point !== ctx.integrationPoint.systemName) return null;
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
async function settleLostCreate(
  db: Db,
  ctx: OrderCallContext,
  input: Omit<OfflineOrderInput, 'customer' | 'existing'> & { lost: LostCreate },
): Promise<OrderAnswer> {
  const { project } = ctx;
  const { order: existing, lines, customer } = input.lost;
  const ref = orderRefOf(existing.id, existing.ids);
  const spentBalanceType = existing.balance_type ? (project.balanceType(existing.balance_type) ?? null) : null;
  const spent = sumOf(lines.map((line) => fromNumeric(line.points_spent_net, scaleOf(spentBalanceType))));
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
      { source: 'operation', operation: ctx.operation.systemName, orderId: existing.id },
    );
  }
  const released = await releaseCoupons(db, existing.id);
  const { orderId, ids } = await writeOfflineOrder(db, ctx, { ...input, customer, existing });
  ctx.notes.push(
    `order ${ref} was created online but the POS got no answer and sold it offline: replaced by the offline order` +
      `${spent > 0 ? `, ${toDecimal(spent, scaleOf(spentBalanceType))} spent points given back` : ''}${released.length > 0 ? `, coupons given back: ${released.length}` : ''}`,
  );
  return { body: { order: { processingStatus: 'Updated', ids: wireIds(orderId, ids) } }, recordTransaction: true };
}

// ---- Status changes and returns ----

interface RequestedChange {
  /** position in `order.lines`, or null for `orderLinesStatus` */
  index: number | null;
  status: OrderLineStatusDefinition;
  /** thousandths, for returns */
  quantity?: number;
  lineNumbers: number[];
}

/** Reads what the request asks: one status for all lines (`orderLinesStatus`) or a status per line. */
function requestedChanges(project: ProjectSnapshot, body: Record<string, unknown>, lines: LineState[], lineIds: Map<number, string | null>): RequestedChange[] {
  const problems: ValidationMessage[] = [];
  const statusOf = (value: unknown, location: string): OrderLineStatusDefinition | undefined => {
    const text = statusText(value);
    if (text === null) {
      problems.push({ location, message: 'a status is "iikoPaid" or {"ids": {"externalId": "iikoPaid"}}' });
      return undefined;
    }
    const status = project.lineStatus(text);
    if (!status) problems.push({ location, message: `"${text}" is not an order line status of this project` });
    return status;
  };
  const order = body.order as Record<string, unknown>;
  const whole = body.orderLinesStatus ?? order.orderLinesStatus;
  if (whole !== undefined && whole !== null && whole !== '') {
    const status = statusOf(whole, '/orderLinesStatus');
    if (problems.length > 0) throw validationError(problems);
    return [{ index: null, status: status!, lineNumbers: lines.filter((line) => remainingOf(line) > 0).map((line) => line.lineNumber) }];
  }
  const nodes = listOf(order.lines);
  if (nodes === null || nodes.length === 0) {
    throw validationError({ location: '/order/lines', message: 'give orderLinesStatus for the whole order, or order.lines with a status each' });
  }
  const changes: RequestedChange[] = [];
  nodes.forEach((node, index) => {
    const at = `/order/lines/${index}`;
    if (!isObject(node)) return problems.push({ location: at, message: 'a line is an object with lineNumber or lineId and a status' });
    const status = statusOf(node.status, `${at}/status`);
    let lineNumbers: number[] = [];
    if (node.lineNumber !== undefined && node.lineNumber !== null && node.lineNumber !== '') {
      const number = Number(node.lineNumber);
      if (!lines.some((line) => line.lineNumber === number)) problems.push({ location: `${at}/lineNumber`, message: `the order has no line ${String(node.lineNumber)}` });
      else lineNumbers = [number];
    } else if (node.lineId !== undefined && node.lineId !== null && node.lineId !== '') {
      const wanted = String(node.lineId);
      lineNumbers = lines.filter((line) => lineIds.get(line.lineNumber) === wanted).map((line) => line.lineNumber);
      if (lineNumbers.length === 0) problems.push({ location: `${at}/lineId`, message: `the order has no line "${wanted}"` });
    } else {
      problems.push({ location: at, message: 'name the line by lineNumber or lineId' });
    }
    let quantity: number | undefined;
    if (node.quantity !== undefined && node.quantity !== null && node.quantity !== '') {
      const parsed = parseMinor(node.quantity, QUANTITY_SCALE);
      if (parsed === null || parsed <= 0) problems.push({ location: `${at}/quantity`, message: 'quantity is a positive number with at most 3 decimals' });
      else quantity = parsed;
    }
    if (status && lineNumbers.length > 0) changes.push({ index, status, lineNumbers, ...(quantity === undefined ? {} : { quantity }) });
  });
  if (problems.length > 0) throw validationError(problems);
  return changes;
}

/** The order a status change names; an unknown order is a ProtocolError (HTTP 400), as Mindbox answers. */
async function findOrderToChange(db: Db, project: ProjectSnapshot, body: Record<string, unknown>): Promise<repository.OrderWithIds> {
  if (!isObject(body.order)) throw validationError({ location: '/order', message: 'name the order: {"order": {"ids": {…}}}' });
  const problems: ValidationMessage[] = [];
  const { ids, mindboxId } = parseOrderIds(project, body.order.ids, '/order/ids', problems);
  if (problems.length > 0) throw validationError(problems);
  if (Object.keys(ids).length === 0 && mindboxId === undefined) throw validationError({ location: '/order/ids', message: 'name the order by its ids' });
  const found = await repository.lockOrdersNamed(db, ids, mindboxId);
  const named = found.filter((row) => namedBy(row, ids)).map((row) => row.id);
  if (mindboxId !== undefined && !named.includes(mindboxId)) named.push(mindboxId);
  if (named.length > 1) throw validationError({ location: '/order/ids', message: 'the identifiers name different orders' });
  const order = found.find((row) => row.id === named[0]);
  if (!order) throw protocolError(`order ${JSON.stringify(mindboxId === undefined ? ids : { ...ids, mindboxId })} is not known`);
  return order;
}

/**
 * ChangeOrderStatus / ReturnOrder. Every requested change is checked first; one illegal change refuses
 * the whole request. Paid lines credit their earned points (blocked for the activation delay); returns
 * take back earned points and give back spent ones in proportion to the quantity returned.
 */
export async function changeOrderStatus(db: Db, ctx: OrderCallContext, body: Record<string, unknown>): Promise<OrderAnswer> {
  const { project } = ctx;
  const at = executionTimeOf(body, ctx.now);
  const order = await findOrderToChange(db, project, body);
  const balanceType = order.balance_type ? (project.balanceType(order.balance_type) ?? null) : null;
  const scale = scaleOf(balanceType);
  const rows = await repository.linesOf(db, order.id);
  const states = new Map(rows.map((row) => [row.line_number, lineStateOf(row, project, scale)]));
  const changes = requestedChanges(project, body, [...states.values()], new Map(rows.map((row) => [row.line_number, row.line_id])));
  const customFieldProblems: ValidationMessage[] = [];
  const customFields = isObject(body.order) && body.order.customFields !== undefined
    ? parseCustomFields(project.customFields('Order'), body.order.customFields, '/order/customFields', customFieldProblems)
    : null;

  const problems: ValidationMessage[] = [...customFieldProblems];
  const before = new Map([...states.entries()].map(([number, state]) => [number, { ...state }]));
  const moved: { state: LineState; quantity: number }[] = [];
  const newlySettled = new Set<number>();
  let returned = 0;
  const refundSpent = balanceType?.refundSpentOnReturn ?? true;
  for (const change of changes) {
    const location = change.index === null ? '/orderLinesStatus' : `/order/lines/${change.index}`;
    if (change.lineNumbers.length === 0) {
      problems.push({ location, message: 'every line of the order is returned or cancelled already' });
      continue;
    }
    let quantityLeft = change.quantity;
    for (const lineNumber of change.lineNumbers) {
      const state = states.get(lineNumber)!;
      // a quantity asked of several lines with one lineId is taken from them in turn
      const share = quantityLeft === undefined || change.lineNumbers.length === 1 ? quantityLeft : Math.min(quantityLeft, remainingOf(state));
      if (share === 0) continue;
      const outcome = transition(state, change.status, share, refundSpent);
      if (outcome.kind === 'refused') {
        problems.push({ location: change.index === null ? location : `${location}/${outcome.field}`, message: outcome.message });
        continue;
      }
      if (outcome.kind === 'unchanged') continue;
      states.set(lineNumber, outcome.next);
      moved.push({ state: { ...outcome.next, status: change.status.externalId }, quantity: outcome.quantity });
      if (outcome.newlySettled) newlySettled.add(lineNumber);
      returned += outcome.returned;
      if (quantityLeft !== undefined) quantityLeft -= share!;
    }
    if (quantityLeft !== undefined && quantityLeft > 0 && change.lineNumbers.length > 1) {
      problems.push({ location: `${location}/quantity`, message: 'the quantity is more than the lines with this lineId have left' });
    }
  }
  if (problems.length > 0) throw validationError(problems);

  const { ids } = order;
  const allGone = [...states.values()].every((state) => remainingOf(state) === 0);
  const events: DomainEventData[] = [];
  if (newlySettled.size > 0) {
    const paidAmount = sumOf([...newlySettled].map((number) => states.get(number)!.discountedPrice - amountReturned(states.get(number)!)));
    events.push({ type: 'orderPaid', orderId: order.id, ids, data: { paidAmount: toDecimal(paidAmount) } });
  }
  if (returned > 0) {
    const returnedAmount = sumOf(rows.map((row) => amountReturned(states.get(row.line_number)!) - amountReturned(before.get(row.line_number)!)));
    events.push({ type: 'orderReturned', orderId: order.id, ids, data: { returnedAmount: toDecimal(returnedAmount), wholeOrder: allGone } });
  }
  await repository.saveLineChanges(
    db,
    order.id,
    rows
      .filter((row) => JSON.stringify(states.get(row.line_number)) !== JSON.stringify(before.get(row.line_number)))
      .map((row) => {
        const state = states.get(row.line_number)!;
        return {
          id: row.id,
          status: state.status,
          quantityReturned: toNumericString(state.quantityReturned, QUANTITY_SCALE),
          quantityRefunded: toNumericString(state.quantityRefunded, QUANTITY_SCALE),
          amountReturned: toNumericString(amountReturned(state)),
          pointsSpentNet: toNumericString(spentTarget(state), scale),
          pointsEarnedNet: toNumericString(earnedTarget(state), scale),
          paidAt: newlySettled.has(row.line_number) ? at : null,
        };
      }),
    historyRows(ctx, moved, at),
    customFields
      ? { updatedAt: ctx.now, customFields: { ...(order.custom_fields ?? {}), ...customFields } }
      : moved.length > 0
        ? { updatedAt: ctx.now }
        : null,
    orderEvents(ctx, order.customer_id, at, events),
  );

  if (order.customer_id !== null && balanceType) {
    const spentDelta = sumOf(rows.map((row) => spentTarget(states.get(row.line_number)!) - fromNumeric(row.points_spent_net, scale)));
    const earnedDelta = sumOf(rows.map((row) => earnedTarget(states.get(row.line_number)!) - fromNumeric(row.points_earned_net, scale)));
    const occasion: PointsOccasion = returned > 0 ? ([...states.values()].every((state) => state.category === 'Cancelled') ? 'cancelled' : 'returned') : 'paid';
    await applyOrderPoints(db, project, {
      orderId: order.id,
      customerId: order.customer_id,
      balanceType,
      orderRef: orderRefOf(order.id, ids),
      spentDelta,
      earnedDelta,
      earnings: rows.filter((row) => newlySettled.has(row.line_number)).flatMap((row) => row.earnings),
      occasion,
      at,
      now: ctx.now,
      operation: ctx.operation.systemName,
    });
  }
  if (allGone && returned > 0) {
    const released = await releaseCoupons(db, order.id);
    if (released.length > 0) ctx.notes.push(`coupons given back: ${released.length}`);
  }
  return { body: {}, recordTransaction: true };
}

// ---- Reading ----

/**
 * Kopecks a guest paid in the window (by the time lines were paid), less what was returned of those
 * lines: what rank segments compare with their thresholds.
 */
export async function customerPaidTotal(db: Db, customerId: number, from: Date, to: Date): Promise<number> {
  return fromNumeric(await repository.paidTotal(db, customerId, from, to));
}

/** An order with its lines, every status change and what it did to points, for the admin API. */
export async function orderDetails(db: Db, project: ProjectSnapshot, orderId: number): Promise<Record<string, unknown> | null> {
  const order = await repository.getOrder(db, orderId);
  if (!order) return null;
  const [ids, lines, history] = await Promise.all([repository.identifiersOf(db, orderId), repository.linesOf(db, orderId), repository.historyOf(db, orderId)]);
  const scale = scaleOf(order.balance_type ? project.balanceType(order.balance_type) : null);
  const points = (value: string) => toDecimal(fromNumeric(value, scale), scale);
  const money = (value: string) => toDecimal(fromNumeric(value));
  const quantity = (value: string) => toDecimal(fromNumeric(value, QUANTITY_SCALE), QUANTITY_SCALE);
  return {
    id: order.id,
    ids,
    kind: order.kind,
    customerId: order.customer_id,
    balanceType: order.balance_type,
    pointOfContact: order.point_of_contact,
    cashdesk: order.cashdesk,
    integrationPoint: order.integration_point,
    operation: order.operation,
    customFields: order.custom_fields,
    payments: order.payments,
    coupons: order.coupons,
    subtotal: money(order.subtotal),
    discountTotal: money(order.discount_total),
    totalPrice: money(order.total_price),
    executedAt: order.executed_at.toISOString(),
    createdAt: order.created_at.toISOString(),
    updatedAt: order.updated_at.toISOString(),
    lines: lines.map((line) => ({
      lineNumber: line.line_number,
      lineId: line.line_id,
      productId: line.product_id,
      status: line.status,
      quantity: quantity(line.quantity),
      quantityReturned: quantity(line.quantity_returned),
      basePricePerItem: money(line.base_price_per_item),
      lineTotal: money(line.line_total),
      discountedPriceOfLine: money(line.discounted_price),
      amountReturned: money(line.amount_returned),
      pointsSpent: points(line.points_spent),
      pointsSpentNow: points(line.points_spent_net),
      pointsEarned: points(line.points_earned),
      pointsEarnedNow: points(line.points_earned_net),
      paidAt: line.paid_at?.toISOString() ?? null,
      appliedPromotions: line.applied_promotions,
      customFields: line.custom_fields,
    })),
    history: history.map((entry) => ({
      lineNumber: entry.line_number,
      status: entry.status,
      quantity: quantity(entry.quantity),
      operation: entry.operation,
      transactionId: entry.transaction_id,
      at: entry.at.toISOString(),
    })),
  };
}

// Reads of the admin console: the keyset-paged order list, orders per day, the venues.
export const listOrders = repository.listOrders;
export const ordersPerDay = repository.ordersPerDay;
export const pointsOfContact = repository.pointsOfContact;
