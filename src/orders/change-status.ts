// Line statuses of a saved order: paying credits the earned points (blocked for the activation delay); a return
// takes them back and gives back the spent ones in proportion to the quantity returned. Every requested change
// is checked first; one illegal change refuses the whole request. Money the POS gave back is kept with the change.
import type { Db } from '../db/database.ts';
import { releaseCoupons } from '../loyalty/coupons.service.ts';
import type { OrderLineStatusDefinition } from '../project/schemas.ts';
import { validationError, type ValidationMessage } from '../shared/errors.ts';
import { fromNumeric, toDecimal, toNumericString } from '../shared/money.ts';
import { checkCustomFields } from './field-values.ts';
import { amountReturned, earnedTarget, remainingOf, spentTarget, transition, type LineState } from './line-points.ts';
import { historyRows, lineStateOf, pointScaleOf, QUANTITY_SCALE } from './order-lines.ts';
import { applyOrderPoints, type PointsOccasion } from './order-points.ts';
import type { OrderContext, OrderRef, StatusChangeRequest } from './order.types.ts';
import * as repository from './orders.repository.ts';
import { namedBy, orderEvents, orderRefOf, sumOf, type OrderEvent } from './saved-orders.ts';

/** A saved order locked for a status change, with its lines as they are now. */
export interface OrderToChange {
  order: repository.OrderWithIds;
  /** its lines as saved, read under the order's lock */
  rows: repository.OrderLineRow[];
  /** how a request may name each line */
  lines: { lineNumber: number; lineId: string | null }[];
}

export interface StatusChangeResult {
  /** coupons the order used, given back because it was returned in full */
  couponsReleased: number;
}

/** The order `ref` names, locked until the transaction ends; null when there is none. */
export async function lockOrderToChange(db: Db, ref: OrderRef): Promise<OrderToChange | null> {
  const found = await repository.lockOrdersNamed(db, ref.ids, ref.mindboxId);
  const named = found.filter((row) => namedBy(row, ref.ids)).map((row) => row.id);
  if (ref.mindboxId !== undefined && !named.includes(ref.mindboxId)) named.push(ref.mindboxId);
  if (named.length > 1) throw validationError({ location: '/order/ids', message: 'the identifiers name different orders' });
  const order = found.find((row) => row.id === named[0]);
  if (!order) return null;
  const rows = await repository.linesOf(db, order.id);
  return { order, rows, lines: rows.map((row) => ({ lineNumber: row.line_number, lineId: row.line_id })) };
}

/** A requested status for some lines, with where the request asked it. */
interface Change {
  /** `/orderLinesStatus` for the whole order, `/order/lines/<index>` for a line */
  location: string;
  wholeOrder: boolean;
  status: OrderLineStatusDefinition;
  lineNumbers: number[];
  quantity?: number;
}

/** Applies `request` to the order `lockOrderToChange` found, at `at` (when the POS made the change). */
export async function changeOrderStatus(db: Db, ctx: OrderContext, target: OrderToChange, request: StatusChangeRequest, at: Date): Promise<StatusChangeResult> {
  const { project } = ctx;
  const { order, rows } = target;
  const balanceType = order.balance_type ? (project.balanceType(order.balance_type) ?? null) : null;
  const scale = pointScaleOf(balanceType);
  const states = new Map(rows.map((row) => [row.line_number, lineStateOf(row, project, scale)]));
  const changes: Change[] =
    'wholeOrder' in request.lines
      ? [
          {
            location: '/orderLinesStatus',
            wholeOrder: true,
            status: request.lines.wholeOrder,
            lineNumbers: [...states.values()].filter((line) => remainingOf(line) > 0).map((line) => line.lineNumber),
          },
        ]
      : request.lines.changes.map(({ index, ...change }) => ({ location: `/order/lines/${index}`, wholeOrder: false, ...change }));

  const problems: ValidationMessage[] = [];
  const customFields = request.customFields && checkCustomFields(project.customFields('Order'), request.customFields, '/order/customFields', problems);
  const before = new Map([...states.entries()].map(([number, state]) => [number, { ...state }]));
  const moved: { state: LineState; quantity: number }[] = [];
  const newlySettled = new Set<number>();
  let returned = 0;
  const refundSpent = balanceType?.refundSpentOnReturn ?? true;
  for (const change of changes) {
    if (change.lineNumbers.length === 0) {
      problems.push({ location: change.location, message: 'every line of the order is returned or cancelled already' });
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
        problems.push({ location: change.wholeOrder ? change.location : `${change.location}/${outcome.field}`, message: outcome.message });
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
      problems.push({ location: `${change.location}/quantity`, message: 'the quantity is more than the lines with this lineId have left' });
    }
  }
  if (problems.length > 0) throw validationError(problems);

  const { ids } = order;
  const allGone = [...states.values()].every((state) => remainingOf(state) === 0);
  const events: OrderEvent[] = [];
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
    {
      payments: request.returnedPayments.map((payment) => ({ type: payment.type, amount: toNumericString(payment.amount) })),
      operation: ctx.source.operation,
      transactionId: ctx.transactionId,
      at,
    },
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
      operation: ctx.source.operation,
    });
  }
  const couponsReleased = allGone && returned > 0 ? (await releaseCoupons(db, order.id)).length : 0;
  return { couponsReleased };
}
