// Reading orders: an order with its lines and history for the admin API, the keyset-paged list, orders per
// day and the venues for the dashboard, and what a guest paid for rank segments. The use cases that change
// orders have a file each: calculate-order.ts, create-order.ts, offline-order.ts, change-status.ts.
import type { Db } from '../db/database.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { fromNumeric, toDecimal } from '../shared/money.ts';
import { pointScaleOf, QUANTITY_SCALE } from './order-lines.ts';
import * as repository from './orders.repository.ts';

/**
 * Kopecks a guest paid in the window (by the time lines were paid), less what was returned of those
 * lines: what rank segments compare with their thresholds.
 */
export async function customerPaidTotal(db: Db, customerId: number, from: Date, to: Date): Promise<number> {
  return fromNumeric(await repository.paidTotal(db, customerId, from, to));
}

/** An order with its lines, every status change and what it did to points, the money given back, for the admin API. */
export async function orderDetails(db: Db, project: ProjectSnapshot, orderId: number): Promise<Record<string, unknown> | null> {
  const order = await repository.getOrder(db, orderId);
  if (!order) return null;
  const [ids, lines, history, returnedPayments] = await Promise.all([
    repository.identifiersOf(db, orderId),
    repository.linesOf(db, orderId),
    repository.historyOf(db, orderId),
    repository.returnedPaymentsOf(db, orderId),
  ]);
  const scale = pointScaleOf(order.balance_type ? project.balanceType(order.balance_type) : null);
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
    receivedAt: order.received_at?.toISOString() ?? null,
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
    returnedPayments: returnedPayments.map((payment) => ({
      type: payment.type,
      amount: money(payment.amount),
      operation: payment.operation,
      transactionId: payment.transaction_id,
      at: payment.at.toISOString(),
    })),
  };
}

// Reads of the admin console: the keyset-paged order list, orders per day, the venues.
export const listOrders = repository.listOrders;
export const ordersPerDay = repository.ordersPerDay;
export const pointsOfContact = repository.pointsOfContact;

// Reads of a replay of the paid orders under a proposed program (src/simulation): a page at a time.
export const paidOrdersPage = repository.paidOrdersPage;
export type { PaidOrderToReplay } from './orders.repository.ts';
