import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BONUS, cart, guest, IIKO_PRESET, kopecks, line, promotions } from '../../../../test/support/cart.ts';
import { calculateCart, type CartInput } from '../../../loyalty/calculate.ts';
import { calculatedOrderNode, type PointsBalance } from './order-answer.ts';

/** The calculation of `input` as an answer shows it, the lines as the POS sent them with the given statuses. */
function orderNode(input: CartInput, statuses: Record<number, string> = {}, balance?: PointsBalance) {
  const sent = {
    externalSystem: 'iiko',
    lines: input.lines.map((cartLine) => ({ ...cartLine, productId: cartLine.productId!, ...(statuses[cartLine.lineNumber] ? { status: statuses[cartLine.lineNumber] } : {}) })),
  };
  return calculatedOrderNode({ input, result: calculateCart(input) }, sent, balance);
}

const cashierText = (input: CartInput) => orderNode(input).placeholders[0].content[0].message;

describe('the order node of a calculation', () => {
  it('builds the Mindbox order node with decimals, per-line promotions, points info, coupons and the cashier text', () => {
    const input = cart({
      lines: [
        line(1, 'cappuccino', 2, { lineId: 'a1' }),
        line(2, 'cheesecake', 1, { requestedPromotions: [{ externalId: 'iikoDisc1', amount: kopecks(20) }] }),
      ],
      promotions: [
        ...IIKO_PRESET,
        ...promotions({ systemName: 'Welcome10', name: 'Приветственная скидка 10 %', kind: 'discount', percent: 10, scope: 'order', couponPool: 'Welcome' }),
      ],
      coupons: [{ code: 'HELLO-1', status: 'CanBeUsed', pool: 'Welcome' }],
      pointsRequested: 100,
    });
    const wire = orderNode(input, { 2: 'iikoCheckedOut' }, { total: 1200, available: 1000, blocked: 200 });

    const bonus = { ids: { systemName: 'Bonus' }, name: 'Бонусы' };
    const mindbox = (externalId: string, name: string) => ({ ids: { externalId }, name, type: 'mindbox' as const });
    const welcome = mindbox('Welcome10', 'Приветственная скидка 10 %');
    const pointsPayment = mindbox('PointsPayment', 'Оплата баллами до 50 %');
    const gold = mindbox('GoldEarning', 'Gold 10 %');
    const expires = '2027-03-02T09:30:00.000Z';
    const info = {
      status: 'Success',
      availableAmountForCurrentOrder: 360,
      spentAmountForCurrentOrder: 100,
      balanceType: bonus,
      balance: { total: 1200, available: 1000, blocked: 200 },
    };
    // 500 + 300 ₽ after the POS's 20 ₽; 10 % → 50 + 30; points 100 over 450 : 270 → 63 + 37 (tie to the first);
    // 10 % of 387 + 233 ₽ = 62 points → 38.7 + 23.3 → 39 + 23
    assert.deepEqual(wire, {
      totalPrice: 620,
      lines: [
        {
          lineNumber: 1,
          lineId: 'a1',
          quantity: 2,
          basePricePerItem: 250,
          discountedPriceOfLine: 387,
          product: { ids: { iiko: 'cappuccino' } },
          appliedPromotions: [
            { type: 'discount', amount: 50, promotion: welcome, coupon: { ids: { code: 'HELLO-1' } } },
            { type: 'spentBonusPoints', amount: 63, promotion: pointsPayment, balanceType: bonus },
            { type: 'earnedBonusPoints', amount: 39, promotion: gold, balanceType: bonus, expirationDateTimeUtc: expires },
          ],
        },
        {
          lineNumber: 2,
          quantity: 1,
          basePricePerItem: 320,
          discountedPriceOfLine: 233,
          product: { ids: { iiko: 'cheesecake' } },
          status: { ids: { externalId: 'iikoCheckedOut' } },
          appliedPromotions: [
            { type: 'discount', amount: 20, promotion: { ids: { externalId: 'iikoDisc1' }, name: 'iikoDisc1', type: 'external' } },
            { type: 'discount', amount: 30, promotion: welcome, coupon: { ids: { code: 'HELLO-1' } } },
            { type: 'spentBonusPoints', amount: 37, promotion: pointsPayment, balanceType: bonus },
            { type: 'earnedBonusPoints', amount: 23, promotion: gold, balanceType: bonus, expirationDateTimeUtc: expires },
          ],
        },
      ],
      bonusPointsInfo: [info],
      totalBonusPointsInfo: info,
      bonusPointsChanges: [{ balanceType: bonus, earnedAmount: 62, spentAmount: 100 }],
      couponsInfo: [{ coupon: { ids: { code: 'HELLO-1' }, status: 'CanBeUsed', pool: { ids: { externalId: 'Welcome' } } }, discountAmountForCurrentOrder: 80 }],
      placeholders: [
        { ids: { externalId: 'cashier' }, content: [{ type: 'text', message: 'Гость: Gold · списать до 360 · списывается 100 · начислится 62' }] },
      ],
    });
  });

  it('shows fractional points with two decimals and weighed quantities with three', () => {
    const input = cart({
      customer: guest(),
      lines: [{ ...line(1, 'carbonara'), productId: 'salmon-by-weight', quantity: 355, basePricePerItem: 249000, minPricePerItem: 200000 }],
      balanceType: { ...BONUS, fractional: true },
      pointsAvailable: 1050,
    });
    const wire = orderNode(input);
    assert.equal(wire.lines[0].quantity, 0.355);
    assert.equal(wire.lines[0].minPricePerItem, 2000);
    assert.equal(wire.totalPrice, 883.95);
    // 5 % of 883.95 ₽ is 44.1975 points → 44.19; half of the bill above the 710 ₽ minimum is 173.95 but the balance is 10.50
    assert.equal(wire.lines[0].appliedPromotions[0].amount, 44.19);
    assert.equal(wire.totalBonusPointsInfo?.availableAmountForCurrentOrder, 10.5);
    assert.deepEqual(wire.totalBonusPointsInfo?.balance, { total: 10.5, available: 10.5, blocked: 0 });
    assert.equal(wire.placeholders[0].content[0].message, 'Гость определён · списать до 10,5 · начислится 44,19');
  });

  it('leaves the points and coupons out for an anonymous guest who brought no coupon', () => {
    const wire = orderNode(cart({ mode: 'anonymous', customer: null, pointsRequested: 100 }));
    assert.deepEqual(Object.keys(wire), ['totalPrice', 'lines', 'placeholders']);
  });
});

describe("the cashier's text", () => {
  it('names the rank, the most the guest may spend and the points to earn', () => {
    assert.equal(cashierText(cart({ customer: guest('Gold') })), 'Гость: Gold · списать до 705 · начислится 141');
    assert.equal(cashierText(cart({ customer: guest() })), 'Гость определён · списать до 705 · начислится 70');
  });

  it('says what is spent, and that nothing can be from a negative balance', () => {
    assert.equal(cashierText(cart({ pointsRequested: 1000 })), 'Гость: Gold · списать до 705 · списывается 705 · начислится 70');
    assert.equal(cashierText(cart({ pointsAvailable: -120, pointsRequested: 100 })), 'Гость: Gold · списать до 0 · начислится 141');
  });

  it('shows fractional points with a decimal comma', () => {
    const bill = [{ ...line(1, 'carbonara', 3), basePricePerItem: 33333 }];
    const input = cart({ lines: bill, balanceType: { ...BONUS, fractional: true }, pointsAvailable: 100000, pointsRequested: 100000 });
    assert.equal(cashierText(input), 'Гость: Gold · списать до 499,99 · списывается 499,99 · начислится 50');
  });

  it('warns of an unconfirmed phone where the integration point confirms phones', () => {
    assert.equal(cashierText(cart({ customer: guest('Gold', { isPhoneConfirmed: false }) })), 'Гость: Gold · телефон не подтверждён · списать до 705 · начислится 141');
    assert.equal(cashierText(cart({ customer: guest('Gold', { isPhoneConfirmed: false }), phoneConfirmationRequired: false })), 'Гость: Gold · списать до 705 · начислится 141');
  });

  it('says the guest is unknown to an anonymous order, and only what an offline order earns', () => {
    assert.equal(cashierText(cart({ mode: 'anonymous', customer: null, pointsRequested: 100 })), 'Гость не определён');
    const lines = [line(1, 'cappuccino', 2, { requestedPromotions: [{ externalId: 'iikoDisc1', amount: kopecks(100) }] }), line(2, 'cheesecake')];
    assert.equal(cashierText(cart({ mode: 'offline', lines, promotions: IIKO_PRESET, pointsRequested: 300 })), 'Гость: Gold · начислится 72');
  });
});
