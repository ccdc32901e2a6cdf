import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { OrderLineStatusDefinition } from '../project/schemas.ts';
import { earnedTarget, shareOf, spentTarget, transition, type LineState } from './line-points.ts';

const CHECKED_OUT: OrderLineStatusDefinition = { externalId: 'iikoCheckedOut', name: 'Оформлен', category: 'CheckedOut' };
const PAID: OrderLineStatusDefinition = { externalId: 'iikoPaid', name: 'Оплачен', category: 'Paid' };
const RETURN: OrderLineStatusDefinition = { externalId: 'iikoReturn', name: 'Возврат', category: 'Return' };
const CANCELLED: OrderLineStatusDefinition = { externalId: 'cancel', name: 'Отменён', category: 'Cancelled' };

function line(overrides: Partial<LineState> = {}): LineState {
  return {
    lineNumber: 1,
    status: 'iikoCheckedOut',
    category: 'CheckedOut',
    quantity: 3000,
    quantityReturned: 0,
    quantityRefunded: 0,
    pointsSpent: 100,
    pointsEarned: 31,
    discountedPrice: 62000,
    ...overrides,
  };
}

function apply(state: LineState, status: OrderLineStatusDefinition, quantity?: number, refund = true): LineState {
  const outcome = transition(state, status, quantity, refund);
  assert.equal(outcome.kind, 'changed', JSON.stringify(outcome));
  return (outcome as Extract<typeof outcome, { kind: 'changed' }>).next;
}

describe('order line rules', () => {
  it('earns nothing until paid, then the whole line', () => {
    const checkedOut = line();
    assert.equal(earnedTarget(checkedOut), 0);
    assert.equal(spentTarget(checkedOut), 100);
    assert.equal(earnedTarget(apply(checkedOut, PAID)), 31);
  });

  it('returns take back earned points and give back spent points by quantity', () => {
    const paid = apply(line(), PAID);
    const oneBack = apply(paid, RETURN, 1000);
    assert.equal(oneBack.status, 'iikoPaid');
    assert.equal(spentTarget(oneBack), 67);
    assert.equal(earnedTarget(oneBack), 21);
    const allBack = apply(oneBack, RETURN);
    assert.equal(allBack.status, 'iikoReturn');
    assert.equal(spentTarget(allBack), 0);
    assert.equal(earnedTarget(allBack), 0);
  });

  it('keeps spent points on return of a paid line when the balance type says so, but not for unpaid lines', () => {
    assert.equal(spentTarget(apply(apply(line(), PAID), RETURN, undefined, false)), 100);
    assert.equal(spentTarget(apply(line(), RETURN, undefined, false)), 0);
  });

  it('refuses what cannot happen', () => {
    const paid = apply(line(), PAID);
    assert.equal(transition(paid, RETURN, 4000, true).kind, 'refused');
    const returned = apply(paid, RETURN);
    assert.match((transition(returned, PAID, undefined, true) as { message: string }).message, /returned/);
    assert.equal(transition(returned, RETURN, undefined, true).kind, 'refused');
    assert.equal(transition(paid, CANCELLED, undefined, true).kind, 'refused');
    assert.equal(transition(paid, CHECKED_OUT, undefined, true).kind, 'refused');
    assert.equal(transition(paid, PAID, undefined, true).kind, 'unchanged');
    const cancelled = apply(line(), CANCELLED);
    assert.equal(spentTarget(cancelled), 0);
    assert.equal(transition(cancelled, PAID, undefined, true).kind, 'refused');
  });

  it('returning a line in any number of parts gives back exactly what it spent and earned (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.array(fc.integer({ min: 1, max: 20_000 }), { maxLength: 8 }),
        (quantity, spent, earned, parts) => {
          let state = apply(line({ quantity, pointsSpent: spent, pointsEarned: earned }), PAID);
          let previousSpent = spentTarget(state);
          let previousEarned = earnedTarget(state);
          for (const part of parts) {
            const left = state.quantity - state.quantityReturned;
            if (left === 0) break;
            state = apply(state, RETURN, Math.min(part, left));
            // every return gives back something or nothing, never takes more than it gave
            assert.ok(spentTarget(state) <= previousSpent && earnedTarget(state) <= previousEarned);
            previousSpent = spentTarget(state);
            previousEarned = earnedTarget(state);
          }
          state = state.quantity > state.quantityReturned ? apply(state, RETURN) : state;
          assert.equal(spentTarget(state), 0);
          assert.equal(earnedTarget(state), 0);
        },
      ),
    );
  });

  it('shares by the largest remainder', () => {
    assert.equal(shareOf(100, 1, 3), 33);
    assert.equal(shareOf(100, 2, 3), 67);
    assert.equal(shareOf(5, 1, 2), 3);
    assert.equal(shareOf(5, 0, 2), 0);
  });
});
