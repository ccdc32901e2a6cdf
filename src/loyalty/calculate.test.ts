import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BONUS, cart, guest, IIKO_PRESET, kopecks, line, MENU, promotions, type Dish } from '../../test/support/cart.ts';
import { calculateCart, type CartBalanceType, type CartInput, type CartResult } from './calculate.ts';

/** Per line, the kopecks each promotion took off (external ones included). */
function discountsOf(result: CartResult): Record<string, number>[] {
  return result.lines.map((resultLine) =>
    Object.fromEntries(
      resultLine.appliedPromotions.flatMap((applied) => (applied.type === 'discount' ? [[applied.promotion.externalId, applied.amount]] : [])),
    ),
  );
}

function spentPerLine(result: CartResult): number[] {
  return result.lines.map((resultLine) =>
    resultLine.appliedPromotions.reduce((total, applied) => total + (applied.type === 'spentBonusPoints' ? applied.points : 0), 0),
  );
}

function earnedPerLine(result: CartResult): number[] {
  return result.lines.map((resultLine) =>
    resultLine.appliedPromotions.reduce((total, applied) => total + (applied.type === 'earnedBonusPoints' ? applied.points : 0), 0),
  );
}

describe('calculateCart: the iiko preset loyalty rules', () => {
  it('earns 5 % without a rank, 7 % for Silver and 10 % for Gold — one earning rule per line', () => {
    const base = calculateCart(cart({ customer: guest() }));
    const silver = calculateCart(cart({ customer: guest('Silver') }));
    const gold = calculateCart(cart({ customer: guest('Gold') }));
    assert.equal(base.totalPrice, kopecks(1410));
    assert.deepEqual([base.pointsEarned, silver.pointsEarned, gold.pointsEarned], [70, 98, 141]);
    assert.deepEqual(earnedPerLine(gold), [50, 59, 32]);
    for (const resultLine of gold.lines) {
      const earning = resultLine.appliedPromotions.filter((applied) => applied.type === 'earnedBonusPoints');
      assert.deepEqual(earning.map((applied) => applied.promotion.externalId), ['GoldEarning']);
    }
  });

  it('lets points pay half of the bill at most, spread over the lines by their totals, and earns on the rest', () => {
    const result = calculateCart(cart({ pointsRequested: 1000 }));
    assert.equal(result.pointsAvailableForOrder, 705);
    assert.equal(result.pointsSpent, 705);
    assert.equal(result.pointsSpentMoney, kopecks(705));
    assert.deepEqual(spentPerLine(result), [250, 295, 160]);
    assert.equal(result.totalPrice, kopecks(705));
    assert.equal(result.pointsEarned, 70);
  });

  it('spends what the cashier asked for when it is less, remainders to the largest fractions', () => {
    const result = calculateCart(cart({ pointsRequested: 200 }));
    // exact shares 70.92, 83.69, 45.39 → 70, 83, 45 and the two spare points to the first two lines
    assert.deepEqual(spentPerLine(result), [71, 84, 45]);
    assert.deepEqual(
      result.lines.map((resultLine) => resultLine.discountedPriceOfLine),
      [kopecks(429), kopecks(506), kopecks(275)],
    );
    assert.equal(result.totalPrice, kopecks(1210));
    assert.equal(result.pointsEarned, 121);
    assert.deepEqual(earnedPerLine(result), [43, 51, 27]);
  });

  it('caps the spend by the balance without an error', () => {
    const result = calculateCart(cart({ pointsAvailable: 300, pointsRequested: 500 }));
    assert.equal(result.pointsAvailableForOrder, 300);
    assert.equal(result.pointsSpent, 300);
  });

  it('spends nothing from a negative balance but still earns', () => {
    const result = calculateCart(cart({ pointsAvailable: -120, pointsRequested: 100 }));
    assert.equal(result.pointsAvailableForOrder, 0);
    assert.equal(result.pointsSpent, 0);
    assert.equal(result.totalPrice, kopecks(1410));
    assert.equal(result.pointsEarned, 141);
  });

  it('allows no spending at all when no points limit promotion applies', () => {
    const result = calculateCart(cart({ promotions: IIKO_PRESET.filter((promotion) => promotion.kind !== 'pointsPaymentLimit'), pointsRequested: 100 }));
    assert.equal(result.pointsAvailableForOrder, 0);
    assert.equal(result.pointsSpent, 0);
  });

  it('dates earned points a balance-type lifetime ahead, or the promotion’s own lifetime', () => {
    const yearLong = calculateCart(cart());
    assert.deepEqual(yearLong.earnings.map((earned) => earned.expirationDateTimeUtc?.toISOString()), ['2027-03-02T09:30:00.000Z']);
    const shortLived = calculateCart(
      cart({ promotions: IIKO_PRESET.map((promotion) => (promotion.systemName === 'GoldEarning' ? { ...promotion, lifetimeDays: 180 } : promotion)) }),
    );
    assert.equal(shortLived.earnings[0].expirationDateTimeUtc?.toISOString(), '2026-08-29T09:30:00.000Z');
    const forever = calculateCart(cart({ balanceType: { ...BONUS, lifetimeDays: null } }));
    assert.equal(forever.earnings[0].expirationDateTimeUtc, null);
  });
});

describe('calculateCart: rounding', () => {
  it('rounds line totals half up to kopecks: 1.5 kg at 333.33 ₽ is 500.00 ₽, 0.355 kg at 2 490 ₽ is 883.95 ₽', () => {
    const result = calculateCart(
      cart({
        lines: [
          { ...line(1, 'carbonara'), productId: 'cheese-by-weight', quantity: 1500, basePricePerItem: 33333 },
          { ...line(2, 'carbonara'), productId: 'salmon-by-weight', quantity: 355, basePricePerItem: 249000 },
        ],
      }),
    );
    assert.deepEqual(
      result.lines.map((resultLine) => resultLine.lineTotal),
      [50000, 88395],
    );
  });

  it('spends whole points on every line: 100 points over three equal espressos is 34 + 33 + 33', () => {
    const threeLines = calculateCart(cart({ lines: [line(1, 'espresso'), line(2, 'espresso'), line(3, 'espresso')], pointsRequested: 100 }));
    assert.deepEqual(spentPerLine(threeLines), [34, 33, 33]);
    assert.equal(threeLines.pointsSpent, 100);
    assert.deepEqual(
      threeLines.lines.map((resultLine) => resultLine.discountedPriceOfLine),
      [kopecks(116), kopecks(117), kopecks(117)],
    );
    // one line of three espressos takes all 100 points: we price lines, not single items
    const oneLine = calculateCart(cart({ lines: [line(1, 'espresso', 3)], pointsRequested: 100 }));
    assert.deepEqual(spentPerLine(oneLine), [100]);
  });

  it('rounds the half-bill limit down to whole points, or to hundredths for a fractional balance type', () => {
    const bill = [{ ...line(1, 'carbonara', 3), basePricePerItem: 33333 }]; // 999.99 ₽, half is 499.995 ₽
    const whole = calculateCart(cart({ lines: bill, pointsRequested: 1000 }));
    assert.equal(whole.pointsAvailableForOrder, 499);
    assert.equal(whole.totalPrice, kopecks(500.99));
    const fractional = calculateCart(
      cart({ lines: bill, balanceType: { ...BONUS, fractional: true }, pointsAvailable: 100000, pointsRequested: 100000 }),
    );
    assert.equal(fractional.pointsAvailableForOrder, 49999);
    assert.equal(fractional.totalPrice, kopecks(500));
    // 10 % of 500.00 ₽ is 50 points exactly
    assert.equal(fractional.pointsEarned, 5000);
  });

  it('rounds earned points per order, not per line: three 150 ₽ espressos at 5 % earn 22, spread 8 + 7 + 7', () => {
    const result = calculateCart(cart({ customer: guest(), lines: [line(1, 'espresso'), line(2, 'espresso'), line(3, 'espresso')] }));
    assert.equal(result.pointsEarned, 22);
    assert.deepEqual(earnedPerLine(result), [8, 7, 7]);
  });
});

describe('calculateCart: discounts and their conditions', () => {
  const desserts15 = { systemName: 'Desserts15', name: 'Десерты −15 %', kind: 'discount', percent: 15, scope: 'lines', categories: ['desserts'] };

  it('gives a category discount to a product of a sub-category only', () => {
    const result = calculateCart(cart({ promotions: [...IIKO_PRESET, ...promotions(desserts15)] }));
    assert.deepEqual(discountsOf(result), [{}, {}, { Desserts15: kopecks(48) }]);
    assert.equal(result.totalPrice, kopecks(1362));
    assert.equal(result.discountTotal, kopecks(48));
  });

  it('gives a product discount per item, but not to a product the catalogue does not know', () => {
    const croissants = promotions({
      systemName: 'MorningCroissant',
      name: 'Круассан −30 ₽',
      kind: 'discount',
      amount: 30,
      scope: 'lines',
      products: ['croissant'],
    });
    const known = calculateCart(cart({ lines: [line(1, 'croissant', 2), line(2, 'cappuccino')], promotions: croissants }));
    assert.deepEqual(discountsOf(known), [{ MorningCroissant: kopecks(60) }, {}]);
    const unknown = calculateCart(cart({ lines: [line(1, 'croissant', 2, { productKnown: false, categoryIds: [] })], promotions: croissants }));
    assert.deepEqual(discountsOf(unknown), [{}]);
  });

  it('runs a business lunch on weekdays from 12:00 to 16:00 Moscow time', () => {
    const lunch = promotions({
      systemName: 'BusinessLunch',
      name: 'Бизнес-ланч −20 %',
      kind: 'discount',
      percent: 20,
      scope: 'lines',
      categories: ['lunch'],
      weekdays: [1, 2, 3, 4, 5],
      timeOfDay: { from: '12:00', to: '16:00' },
    });
    const borschtAt = (iso: string) => discountsOf(calculateCart(cart({ now: new Date(iso), lines: [line(1, 'borscht')], promotions: lunch })))[0];
    assert.deepEqual(borschtAt('2026-03-02T09:30:00Z'), { BusinessLunch: kopecks(78) }, 'Monday 12:30');
    assert.deepEqual(borschtAt('2026-03-02T09:00:00Z'), { BusinessLunch: kopecks(78) }, 'Monday 12:00 sharp');
    assert.deepEqual(borschtAt('2026-03-02T08:59:00Z'), {}, 'Monday 11:59');
    assert.deepEqual(borschtAt('2026-03-02T13:00:00Z'), {}, 'Monday 16:00 is already over');
    assert.deepEqual(borschtAt('2026-03-07T10:00:00Z'), {}, 'Saturday 13:00');
  });

  it('takes the weekday from the Moscow calendar, not from UTC', () => {
    const mondayOnly = promotions({ systemName: 'Monday', name: 'Понедельник', kind: 'discount', percent: 10, scope: 'order', weekdays: [1] });
    // Sunday 21:30 UTC is Monday 00:30 in Moscow
    const result = calculateCart(cart({ now: new Date('2026-03-01T21:30:00Z'), promotions: mondayOnly }));
    assert.equal(result.discountTotal, kopecks(141));
  });

  it('gives 300 ₽ off from a 2 000 ₽ order, counted after the POS’s own discounts, spread over the lines', () => {
    const minus300 = promotions({ systemName: 'Minus300', name: '−300 ₽ от 2 000 ₽', kind: 'discount', amount: 300, scope: 'order', minOrderTotal: 2000 });
    assert.equal(calculateCart(cart({ promotions: minus300 })).discountTotal, 0, '1 410 ₽ is too little');
    const bigLines = [line(1, 'carbonara', 2), line(2, 'cappuccino', 2), line(3, 'cheesecake')];
    const big = calculateCart(cart({ lines: bigLines, promotions: minus300 }));
    assert.deepEqual(discountsOf(big), [{ Minus300: kopecks(177) }, { Minus300: kopecks(75) }, { Minus300: kopecks(48) }]);
    assert.equal(big.totalPrice, kopecks(1700));
    const withPosDiscount = [...bigLines.slice(0, 2), line(3, 'cheesecake', 1, { requestedPromotions: [{ externalId: 'iikoDisc1', amount: 1000 }] })];
    assert.equal(calculateCart(cart({ lines: withPosDiscount, promotions: minus300 })).discountTotal, kopecks(10), 'only the POS’s 10 ₽');
  });

  it('refuses a personal promotion to an unconfirmed phone when the integration point confirms phones', () => {
    const birthday = promotions({ systemName: 'Birthday', name: 'День рождения −15 %', kind: 'discount', percent: 15, scope: 'order', personal: true });
    const unconfirmed = calculateCart(cart({ customer: guest('Gold', { isPhoneConfirmed: false }), promotions: [...IIKO_PRESET, ...birthday] }));
    assert.equal(unconfirmed.discountTotal, 0);
    const confirmed = calculateCart(cart({ promotions: birthday }));
    assert.equal(confirmed.discountTotal, kopecks(211.5));
    const notRequired = calculateCart(cart({ customer: guest('Gold', { isPhoneConfirmed: false }), phoneConfirmationRequired: false, promotions: birthday }));
    assert.equal(notRequired.discountTotal, kopecks(211.5));
    const anonymous = calculateCart(cart({ customer: null, mode: 'anonymous', promotions: birthday }));
    assert.equal(anonymous.discountTotal, 0);
  });

  it('applies segment, point-of-contact and date-range conditions', () => {
    const goldClub = promotions({
      systemName: 'GoldClub',
      name: 'Клуб Gold −5 %',
      kind: 'discount',
      percent: 5,
      scope: 'order',
      segments: ['RankGold'],
      pointsOfContact: ['cafe-arbat'],
      activeFrom: '2026-03-01T00:00:00+03:00',
      activeTill: '2026-06-01T00:00:00+03:00',
    });
    const member = guest('Gold', { segments: ['RankGold'] });
    const discount = (overrides: Partial<CartInput>) => calculateCart(cart({ customer: member, promotions: goldClub, ...overrides })).discountTotal;
    assert.equal(discount({}), kopecks(70.5));
    assert.equal(discount({ customer: guest('Gold', { segments: ['RankSilver'] }) }), 0);
    assert.equal(discount({ pointOfContact: 'cafe-tverskaya' }), 0);
    assert.equal(discount({ pointOfContact: undefined }), 0);
    assert.equal(discount({ now: new Date('2026-05-31T20:59:59Z') }), kopecks(70.5));
    assert.equal(discount({ now: new Date('2026-05-31T21:00:00Z') }), 0, 'activeTill is excluded');
    assert.equal(discount({ now: new Date('2026-02-28T20:59:59Z') }), 0, 'not yet active');
  });

  it('keeps only the highest-priority discount of a group on each line and stacks promotions without a group', () => {
    const result = calculateCart(
      cart({
        promotions: promotions(
          { systemName: 'Pasta20', name: 'Паста −20 %', kind: 'discount', percent: 20, scope: 'lines', categories: ['pasta'], exclusivityGroup: 'menu', priority: 10 },
          { systemName: 'All10', name: 'Всё −10 %', kind: 'discount', percent: 10, scope: 'lines', exclusivityGroup: 'menu', priority: 5 },
          { ...desserts15 },
        ),
      }),
    );
    // the cheesecake gets 10 % (32 ₽), then 15 % of the remaining 288 ₽ (43.20 ₽)
    assert.deepEqual(discountsOf(result), [{ All10: kopecks(50) }, { Pasta20: kopecks(118) }, { All10: kopecks(32), Desserts15: kopecks(43.2) }]);
  });

  it('rounds percent discounts down to kopecks', () => {
    const result = calculateCart(
      cart({
        lines: [{ ...line(1, 'espresso'), basePricePerItem: 14999 }],
        promotions: promotions({ systemName: 'Seven', name: '−7 %', kind: 'discount', percent: 7, scope: 'lines' }),
      }),
    );
    // 7 % of 149.99 ₽ is 10.4993 ₽
    assert.deepEqual(discountsOf(result), [{ Seven: 1049 }]);
  });
});

describe('calculateCart: what the POS sends', () => {
  it('applies the POS’s own discounts first, as given, and calculates ours and points on the rest', () => {
    const lines = [line(1, 'cappuccino', 2), line(2, 'carbonara', 1, { requestedPromotions: [{ externalId: 'iikoDisc1', amount: kopecks(50) }] }), line(3, 'cheesecake')];
    const result = calculateCart(cart({ lines, pointsRequested: 1000 }));
    assert.deepEqual(discountsOf(result), [{}, { iikoDisc1: kopecks(50) }, {}]);
    assert.equal(result.lines[1].appliedPromotions[0].type, 'discount');
    assert.deepEqual(result.lines[1].appliedPromotions[0].type === 'discount' && result.lines[1].appliedPromotions[0].promotion, {
      externalId: 'iikoDisc1',
      name: 'iikoDisc1',
      origin: 'external',
    });
    assert.equal(result.pointsAvailableForOrder, 680, 'half of 1 360 ₽');
    assert.equal(result.totalPrice, kopecks(680));
  });

  it('never takes a line below its minimum price: not by discounts, not by points, not by the POS', () => {
    const happyHour = promotions({ systemName: 'HappyHour', name: 'Пиво −20 %', kind: 'discount', percent: 20, scope: 'lines', categories: ['bar'] });
    const beer = calculateCart(cart({ lines: [line(1, 'beer')], promotions: [...IIKO_PRESET, ...happyHour], pointsRequested: 1000 }));
    assert.deepEqual(discountsOf(beer), [{ HappyHour: kopecks(50) }]);
    assert.equal(beer.pointsAvailableForOrder, 0);
    assert.equal(beer.totalPrice, kopecks(300));

    const beerAndPasta = calculateCart(cart({ lines: [line(1, 'beer'), line(2, 'carbonara')], pointsRequested: 1000 }));
    // half of 940 ₽ is 470 points; the beer can give only 50 ₽ above its minimum, the pasta takes the rest
    assert.deepEqual(spentPerLine(beerAndPasta), [50, 420]);

    const generousPos = calculateCart(cart({ lines: [line(1, 'beer', 1, { requestedPromotions: [{ externalId: 'iikoDisc1', amount: kopecks(100) }] })] }));
    assert.deepEqual(discountsOf(generousPos), [{ iikoDisc1: kopecks(50) }]);
    assert.equal(generousPos.lines[0].discountedPriceOfLine, kopecks(300));
  });

  it('uses a valid coupon once, and reports used, unknown and unneeded ones', () => {
    const welcome = promotions({
      systemName: 'Welcome10',
      name: 'Приветственная скидка 10 %',
      kind: 'discount',
      percent: 10,
      scope: 'order',
      couponPool: 'Welcome',
    });
    const coupons: CartInput['coupons'] = [
      { code: 'HELLO-1', status: 'CanBeUsed', pool: 'Welcome' },
      { code: 'HELLO-2', status: 'CanBeUsed', pool: 'Welcome' },
      { code: 'OLD-7', status: 'Used', pool: 'Welcome' },
      { code: 'TYPO', status: 'NotFound' },
      { code: 'COFFEE-1', status: 'CanBeUsed', pool: 'FreeCoffee' },
    ];
    const result = calculateCart(cart({ promotions: [...IIKO_PRESET, ...welcome], coupons }));
    assert.equal(result.discountTotal, kopecks(141));
    assert.deepEqual(result.coupons, [
      { code: 'HELLO-1', status: 'CanBeUsed', pool: 'Welcome', discountAmount: kopecks(141) },
      { code: 'HELLO-2', status: 'CanNotBeUsedForCurrentOrder', pool: 'Welcome', discountAmount: 0 },
      { code: 'OLD-7', status: 'Used', pool: 'Welcome', discountAmount: 0 },
      { code: 'TYPO', status: 'NotFound', discountAmount: 0 },
      { code: 'COFFEE-1', status: 'CanNotBeUsedForCurrentOrder', pool: 'FreeCoffee', discountAmount: 0 },
    ]);
    const withoutValidCoupon = calculateCart(cart({ promotions: welcome, coupons: [coupons[2], coupons[3]] }));
    assert.equal(withoutValidCoupon.discountTotal, 0);
  });
});

describe('calculateCart: modes', () => {
  const desserts15 = promotions({ systemName: 'Desserts15', name: 'Десерты −15 %', kind: 'discount', percent: 15, scope: 'lines', categories: ['desserts'] });

  it('anonymous: public discounts only, no points at all', () => {
    const input = cart({ mode: 'anonymous', customer: null, promotions: [...IIKO_PRESET, ...desserts15], pointsRequested: 100 });
    const result = calculateCart(input);
    assert.equal(result.discountTotal, kopecks(48));
    assert.equal(result.pointsProcessed, false);
    assert.deepEqual([result.pointsAvailableForOrder, result.pointsSpent, result.pointsEarned], [0, 0, 0]);
  });

  it('offline: none of our discounts and no spending, the POS’s discounts stand and earning rules apply', () => {
    const lines = [line(1, 'cappuccino', 2, { requestedPromotions: [{ externalId: 'iikoDisc1', amount: kopecks(100) }] }), line(2, 'cheesecake')];
    const result = calculateCart(cart({ mode: 'offline', lines, promotions: [...IIKO_PRESET, ...desserts15], pointsRequested: 300 }));
    assert.deepEqual(discountsOf(result), [{ iikoDisc1: kopecks(100) }, {}]);
    assert.equal(result.pointsSpent, 0);
    assert.equal(result.totalPrice, kopecks(720));
    assert.equal(result.pointsEarned, 72);
  });
});

describe('calculateCart: properties', () => {
  const PROMOTION_POOL = [
    ...IIKO_PRESET,
    ...promotions(
      { systemName: 'Desserts15', name: 'Десерты −15 %', kind: 'discount', percent: 15, scope: 'lines', categories: ['desserts'] },
      { systemName: 'Minus300', name: '−300 ₽', kind: 'discount', amount: 300, scope: 'order', minOrderTotal: 1000 },
      { systemName: 'Lunch20', name: 'Ланч −20 %', kind: 'discount', percent: 20, scope: 'order', categories: ['lunch'], weekdays: [1, 2, 3, 4, 5], exclusivityGroup: 'menu', priority: 3 },
      { systemName: 'All7', name: 'Всё −7.5 %', kind: 'discount', percent: 7.5, scope: 'lines', exclusivityGroup: 'menu' },
      { systemName: 'Croissant30', name: 'Круассан −30 ₽', kind: 'discount', amount: 30, scope: 'lines', products: ['croissant'] },
      { systemName: 'Birthday', name: 'ДР', kind: 'discount', percent: 25, scope: 'order', personal: true, couponPool: 'Birthday' },
      { systemName: 'Welcome', name: 'Welcome', kind: 'earnPoints', percent: 3, balanceType: 'Bonus', couponPool: 'Welcome', lifetimeDays: 30 },
    ),
  ];
  const dishes = Object.keys(MENU) as Dish[];

  const lineArbitrary = fc.record({
    dish: fc.constantFrom(...dishes),
    quantity: fc.integer({ min: 0, max: 5000 }),
    price: fc.integer({ min: 0, max: 300_000 }),
    minPrice: fc.option(fc.integer({ min: 0, max: 350_000 }), { nil: undefined }),
    known: fc.boolean(),
    requested: fc.array(fc.integer({ min: -1000, max: 60_000 }), { maxLength: 2 }),
  });

  const inputArbitrary = fc
    .record({
      lines: fc.array(lineArbitrary, { minLength: 1, maxLength: 6 }),
      mode: fc.constantFrom('authorized', 'authorized', 'authorized', 'anonymous', 'offline'),
      customer: fc.option(
        fc.record({
          isPhoneConfirmed: fc.boolean(),
          segments: fc.subarray(['RankBronze', 'RankSilver', 'RankGold']),
          rank: fc.constantFrom(undefined, 'Bronze', 'Silver', 'Gold'),
        }),
        { nil: null, freq: 6 },
      ),
      phoneConfirmationRequired: fc.boolean(),
      balanceType: fc.constantFrom<CartBalanceType | null>(BONUS, { ...BONUS, fractional: true }, { ...BONUS, lifetimeDays: null }, null),
      pointsAvailable: fc.integer({ min: -5000, max: 200_000 }),
      pointsRequested: fc.integer({ min: -100, max: 300_000 }),
      promotions: fc.subarray(PROMOTION_POOL.filter((promotion) => promotion.kind !== 'pointsPaymentLimit')),
      pointsPaymentAllowed: fc.integer({ min: 0, max: 4 }).map((chance) => chance > 0),
      coupons: fc.subarray<CartInput['coupons'][number]>([
        { code: 'BDAY-1', status: 'CanBeUsed', pool: 'Birthday' },
        { code: 'HELLO-1', status: 'CanBeUsed', pool: 'Welcome' },
        { code: 'HELLO-2', status: 'Used', pool: 'Welcome' },
        { code: 'NOPE', status: 'NotFound' },
      ]),
      now: fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2026-12-31T23:59:59Z'), noInvalidDate: true }),
    })
    .map(
      (generated): CartInput =>
        cart({
          now: generated.now,
          mode: generated.mode as CartInput['mode'],
          customer: generated.customer && guest(generated.customer.rank, { isPhoneConfirmed: generated.customer.isPhoneConfirmed, segments: generated.customer.segments }),
          phoneConfirmationRequired: generated.phoneConfirmationRequired,
          balanceType: generated.balanceType,
          pointsAvailable: generated.pointsAvailable,
          pointsRequested: generated.pointsRequested,
          promotions: [...generated.promotions, ...PROMOTION_POOL.filter((promotion) => generated.pointsPaymentAllowed && promotion.kind === 'pointsPaymentLimit')],
          coupons: generated.coupons,
          lines: generated.lines.map((generatedLine, index) =>
            line(index + 1, generatedLine.dish, 1, {
              quantity: generatedLine.quantity,
              basePricePerItem: generatedLine.price,
              minPricePerItem: generatedLine.minPrice,
              productKnown: generatedLine.known,
              requestedPromotions: generatedLine.requested.map((amount, position) => ({ externalId: `pos${position}`, amount })),
            }),
          ),
        }),
    );

  it('line prices add up to the total, and the total plus discounts plus points is the subtotal', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const result = calculateCart(input);
        const lines = result.lines;
        assert.equal(result.totalPrice, lines.reduce((total, resultLine) => total + resultLine.discountedPriceOfLine, 0));
        assert.equal(result.subtotal, lines.reduce((total, resultLine) => total + resultLine.lineTotal, 0));
        assert.equal(result.totalPrice + result.discountTotal + result.pointsSpentMoney, result.subtotal);
        for (const resultLine of lines) {
          const taken = resultLine.appliedPromotions.reduce(
            (total, applied) => total + (applied.type === 'earnedBonusPoints' ? 0 : applied.amount),
            0,
          );
          assert.equal(resultLine.lineTotal - taken, resultLine.discountedPriceOfLine);
        }
      }),
    );
  });

  it('no line ever costs less than its minimum price', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        calculateCart(input).lines.forEach((resultLine, index) => {
          const source = input.lines[index];
          const minimum = Math.round(((source.minPricePerItem ?? 0) * source.quantity) / 1000);
          assert.ok(resultLine.discountedPriceOfLine >= Math.min(minimum, resultLine.lineTotal));
          assert.ok(resultLine.discountedPriceOfLine >= resultLine.minimumLineTotal);
        });
      }),
    );
  });

  it('spends no more than asked, than the balance has, than half the bill after discounts', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const result = calculateCart(input);
        assert.ok(result.pointsSpent >= 0);
        assert.ok(result.pointsSpent <= Math.max(input.pointsRequested, 0));
        assert.ok(result.pointsSpent <= Math.max(input.pointsAvailable, 0));
        assert.ok(result.pointsSpent <= result.pointsAvailableForOrder);
        const billAfterDiscounts = result.totalPrice + result.pointsSpentMoney;
        assert.ok(result.pointsSpentMoney <= Math.floor(billAfterDiscounts / 2));
        assert.equal(spentPerLine(result).reduce((total, points) => total + points, 0), result.pointsSpent);
        assert.equal(earnedPerLine(result).reduce((total, points) => total + points, 0), result.pointsEarned);
        if (input.mode !== 'authorized' || input.customer === null) assert.equal(result.pointsSpent, 0);
        if (input.mode === 'anonymous' || input.customer === null) assert.equal(result.pointsEarned, 0);
        if (input.balanceType && !input.balanceType.fractional) assert.equal(result.pointsSpentMoney % 100, 0);
      }),
    );
  });

  it('offline orders get none of our discounts', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const result = calculateCart({ ...input, mode: 'offline' });
        for (const resultLine of result.lines) {
          for (const applied of resultLine.appliedPromotions) {
            if (applied.type === 'discount') assert.equal(applied.promotion.origin, 'external');
          }
        }
      }),
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        assert.deepEqual(calculateCart(input), calculateCart(structuredClone(input)));
      }),
    );
  });
});
