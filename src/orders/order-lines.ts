// An order's lines as they are saved: the status a new line gets, the rows the calculation gives them with the
// points each spends and earns, their states for the status rules, and the history rows of their changes.
import { pointScale } from '../loyalty/balances.ts';
import type { CartResult } from '../loyalty/calculate.ts';
import type { BalanceTypeDefinition, OrderLineStatusDefinition } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { validationError, type ValidationMessage } from '../shared/errors.ts';
import { fromNumeric, toNumericString } from '../shared/money.ts';
import { earnedTarget, isSettled, spentTarget, type LineState } from './line-points.ts';
import type { OrderContext, OrderInput, OrderLineInput } from './order.types.ts';
import type { LineEarning } from './order-points.ts';
import type * as repository from './orders.repository.ts';

/** Quantities are kept in thousandths. */
export const QUANTITY_SCALE = 3;

/**
 * The status each new line of an order gets: its own, or `defaultStatus` (the project's first checked-out
 * status when none is given). Only unpaid or paid lines may be created; every refused line is named.
 */
export function newLineStatuses(project: ProjectSnapshot, lines: OrderLineInput[], defaultStatus: OrderLineStatusDefinition | undefined): OrderLineStatusDefinition[] {
  const fallback = defaultStatus ?? project.lineStatusesOf('CheckedOut')[0];
  const problems: ValidationMessage[] = [];
  const statuses = lines.map((line, index) => {
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

interface LineRowContext {
  balanceType: BalanceTypeDefinition | null;
  at: Date;
}

/** The rows of an order's lines as the calculation priced them, with the points each spends and earns. */
export function lineRowsOf(
  ctx: OrderContext,
  order: OrderInput,
  result: CartResult,
  statuses: OrderLineStatusDefinition[],
  rowContext: LineRowContext,
  paidBefore: Map<number, Date>,
): { rows: repository.NewLine[]; states: LineState[]; earnings: LineEarning[][] } {
  const scale = pointScaleOf(rowContext.balanceType);
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

export function lineStateOf(row: repository.OrderLineRow, project: ProjectSnapshot, scale: 0 | 2): LineState {
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

/** Whether any part of a saved line was returned. */
export const hasReturns = (lines: repository.OrderLineRow[]) => lines.some((line) => fromNumeric(line.quantity_returned, QUANTITY_SCALE) > 0);

export function historyRows(ctx: OrderContext, changes: { state: LineState; quantity: number }[], at: Date): repository.NewHistory[] {
  return changes.map(({ state, quantity }) => ({
    line_number: state.lineNumber,
    status: state.status,
    quantity: toNumericString(quantity, QUANTITY_SCALE),
    operation: ctx.source.operation,
    transaction_id: ctx.transactionId,
    at,
  }));
}

/** Decimal places of the points of a balance type; none without one. */
export function pointScaleOf(balanceType: BalanceTypeDefinition | null | undefined): 0 | 2 {
  return balanceType ? pointScale(balanceType) : 0;
}
