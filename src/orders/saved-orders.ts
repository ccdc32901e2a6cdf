// What the order use cases share: the guest an order is for, finding and locking the order some ids name,
// saving an order with its lines, and the events an order with a guest announces.
import { findCustomer, type CustomerLookup, type CustomerRow, type GuestIdentifiers } from '../customers/customers.service.ts';
import type { Db } from '../db/database.ts';
import type { OrderKind } from '../db/schema.ts';
import { emitEvent, type DomainEvent } from '../jobs/outbox.ts';
import type { BalanceTypeDefinition, ScenarioEvent } from '../project/schemas.ts';
import { validationError } from '../shared/errors.ts';
import { toDecimal, toNumericString } from '../shared/money.ts';
import type { OrderContext, OrderInput, OrderRef } from './order.types.ts';
import * as repository from './orders.repository.ts';
import type { Pricing } from './pricing.ts';

export const sumOf = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** How a person names an order: the POS's number, or ours. */
export function orderRefOf(orderId: number, ids: Record<string, string>): string {
  return Object.values(ids)[0] ?? `№${orderId}`;
}

/** The guest an order names: identifiers must be given, and are looked up. */
export async function lookUpGuest(db: Db, guest: GuestIdentifiers): Promise<Exclude<CustomerLookup, { status: 'NoIdentifiers' }>> {
  const lookup = await findCustomer(db, guest);
  if (lookup.status === 'NoIdentifiers') {
    throw validationError({ location: '/customer', message: "give the guest's mobilePhone, discountCard.ids.number or ids" });
  }
  return lookup;
}

/** The order these ids name, locked for the rest of the transaction; `undefined` when there is none yet. */
export async function findOrderForWrite(db: Db, order: OrderRef): Promise<repository.OrderWithIds | undefined> {
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
export function namedBy(order: repository.OrderWithIds, ids: Record<string, string>): boolean {
  return Object.entries(ids).some(([field, value]) => order.ids[field] === value);
}

export interface OrderEvent {
  type: ScenarioEvent;
  /** left out for an order being inserted: the insert sets it */
  orderId?: number;
  ids: Record<string, string>;
  data: Record<string, unknown>;
}

/** The events of an order with a guest (an anonymous order has none). */
export function orderEvents(ctx: OrderContext, customerId: number | null, at: Date, events: OrderEvent[]): DomainEvent[] {
  if (customerId === null) return [];
  return events.map((event) => ({
    type: event.type,
    customerId,
    operation: ctx.source.operation,
    integrationPoint: ctx.source.integrationPoint,
    at: at.toISOString(),
    data: { ...(event.orderId === undefined ? {} : { orderId: event.orderId }), ids: event.ids, ...event.data },
  }));
}

export async function emitOrderEvent(db: Db, ctx: OrderContext, customerId: number | null, at: Date, event: OrderEvent): Promise<void> {
  for (const domainEvent of orderEvents(ctx, customerId, at, [event])) await emitEvent(db, domainEvent);
}

export interface SaveOrderInput {
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
export async function saveOrder(
  db: Db,
  ctx: OrderContext,
  input: SaveOrderInput,
  lines: repository.NewLine[],
  history: repository.NewHistory[],
  created: OrderEvent,
): Promise<number> {
  const { order, pricing } = input;
  const values = {
    customer_id: input.customer?.id ?? null,
    kind: input.kind,
    balance_type: input.customer && input.balanceType ? input.balanceType.systemName : null,
    point_of_contact: order.pointOfContact ?? null,
    cashdesk: order.cashdesk ?? null,
    integration_point: ctx.source.integrationPoint,
    operation: ctx.source.operation,
    custom_fields: JSON.stringify(order.customFields),
    payments: JSON.stringify(order.payments.map((payment) => ({ type: payment.type, amount: toDecimal(payment.amount) }))),
    coupons: JSON.stringify(input.coupons),
    subtotal: toNumericString(pricing.result.subtotal),
    discount_total: toNumericString(pricing.result.discountTotal),
    total_price: toNumericString(pricing.result.totalPrice),
    executed_at: input.at,
    updated_at: ctx.now,
    // an offline order is dated when it was rung up; when it reached us is kept beside that
    received_at: input.kind === 'offline' ? ctx.now : null,
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
