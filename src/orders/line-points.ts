// The rules of an order line's life, pure: which status changes are allowed, and how many points a line
// should have spent and earned at any moment. The services compare these targets with what the ledger
// holds for the line and write the difference, so a return of any part of any line lands exactly.
import { distributeByLargestRemainder } from '../loyalty/distribute.ts';
import type { OrderLineStatusDefinition } from '../project/schemas.ts';

export type LineCategory = OrderLineStatusDefinition['category'];

/** A sale that happened: earned points are credited for such lines. */
export const isSettled = (category: LineCategory) => category === 'Paid' || category === 'Delivered';

export interface LineState {
  lineNumber: number;
  status: string;
  category: LineCategory;
  /** thousandths */
  quantity: number;
  /** thousandths returned or cancelled so far */
  quantityReturned: number;
  /** thousandths whose spent points were given back */
  quantityRefunded: number;
  /** balance type minor units the line spent when it was saved */
  pointsSpent: number;
  /** balance type minor units the line earns when paid */
  pointsEarned: number;
  /** kopecks the guest pays for the line */
  discountedPrice: number;
}

/** The part of `amount` that belongs to `part` of `whole`, rounded by the largest remainder so parts add up exactly. */
export function shareOf(amount: number, part: number, whole: number): number {
  if (part <= 0 || amount === 0) return 0;
  if (part >= whole) return amount;
  return distributeByLargestRemainder(amount, [part, whole - part])[0];
}

/** Points the line should have spent now: what it spent less the share of the quantity refunded. */
export function spentTarget(line: LineState): number {
  return line.pointsSpent - shareOf(line.pointsSpent, line.quantityRefunded, line.quantity);
}

/** Points the line should have earned now: nothing until it is paid, then its points less the returned share. */
export function earnedTarget(line: LineState): number {
  if (!isSettled(line.category)) return 0;
  return line.pointsEarned - shareOf(line.pointsEarned, line.quantityReturned, line.quantity);
}

/** Kopecks of the line the guest got back. */
export function amountReturned(line: LineState): number {
  return shareOf(line.discountedPrice, line.quantityReturned, line.quantity);
}

export const remainingOf = (line: LineState) => line.quantity - line.quantityReturned;

export type TransitionOutcome =
  | { kind: 'changed'; next: LineState; quantity: number; newlySettled: boolean; returned: number }
  | { kind: 'unchanged' }
  | { kind: 'refused'; message: string; /** the request field at fault */ field: 'status' | 'quantity' };

const quantityText = (thousandths: number) => String(thousandths / 1000).replace('.', ',');

/**
 * Moves a line to a status. A return takes `quantity` (all that is left when absent); spent points of the
 * returned part come back unless the line was paid and the balance type keeps them (`refundSpentOnReturn`).
 * Cancelling applies to unpaid lines only and always gives the spent points back.
 */
export function transition(
  line: LineState,
  target: OrderLineStatusDefinition,
  quantity: number | undefined,
  refundSpentOnReturn: boolean,
): TransitionOutcome {
  const left = remainingOf(line);
  const gone = line.category === 'Cancelled' ? 'cancelled' : 'returned';
  if (target.category === 'Return') {
    if (line.category === 'Cancelled') return refused(`line ${line.lineNumber} was cancelled; there is nothing to return`);
    if (left === 0) return refused(`line ${line.lineNumber} was returned in full already`);
    const returning = quantity ?? left;
    if (returning > left) {
      return refused(`line ${line.lineNumber}: cannot return ${quantityText(returning)}, only ${quantityText(left)} of ${quantityText(line.quantity)} is left`, 'quantity');
    }
    const refund = !isSettled(line.category) || refundSpentOnReturn;
    const next: LineState = {
      ...line,
      quantityReturned: line.quantityReturned + returning,
      quantityRefunded: line.quantityRefunded + (refund ? returning : 0),
      ...(returning === left ? { status: target.externalId, category: target.category } : {}),
    };
    return { kind: 'changed', next, quantity: returning, newlySettled: false, returned: returning };
  }
  if (target.category === 'Cancelled') {
    if (line.category === 'Cancelled') return { kind: 'unchanged' };
    if (line.category !== 'CheckedOut') {
      return refused(`line ${line.lineNumber} is ${line.category === 'Return' ? 'returned' : 'paid'}; a paid line is returned, not cancelled`);
    }
    const next: LineState = {
      ...line,
      status: target.externalId,
      category: target.category,
      quantityReturned: line.quantity,
      quantityRefunded: line.quantityRefunded + left,
    };
    return { kind: 'changed', next, quantity: left, newlySettled: false, returned: left };
  }
  if (line.category === 'Return' || line.category === 'Cancelled') {
    return refused(`line ${line.lineNumber} was ${gone}; it cannot become ${target.externalId}`);
  }
  if (target.category === 'CheckedOut') {
    if (line.category === 'CheckedOut') return line.status === target.externalId ? { kind: 'unchanged' } : changed(line, target, left, false);
    return refused(`line ${line.lineNumber} is paid; it cannot go back to ${target.externalId}`);
  }
  // Paid or Delivered
  if (line.status === target.externalId) return { kind: 'unchanged' };
  return changed(line, target, left, !isSettled(line.category));
}

function refused(message: string, field: 'status' | 'quantity' = 'status'): TransitionOutcome {
  return { kind: 'refused', message, field };
}

function changed(line: LineState, target: OrderLineStatusDefinition, quantity: number, newlySettled: boolean): TransitionOutcome {
  return { kind: 'changed', next: { ...line, status: target.externalId, category: target.category }, quantity, newlySettled, returned: 0 };
}
