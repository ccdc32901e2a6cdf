import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { couponPoolSchema, promotionListSchema, promotionSchema } from './promotions.schemas.ts';

/** The problems an operator would read: `path: message`. */
function problems(schema: { safeParse(value: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown): string[] {
  const result = schema.safeParse(value);
  assert.equal(result.success, false, 'expected the definition to be refused');
  return result.error!.issues.map((issue) => `${issue.path.join('/')}: ${issue.message}`);
}

describe('promotionSchema', () => {
  it('reads the iiko preset loyalty rules from YAML as written by an operator', () => {
    const promotions = promotionListSchema.parse(
      parseYaml(`
- systemName: BaseEarning
  name: Баллы 5 %
  kind: earnPoints
  percent: 5
  balanceType: Bonus
  exclusivityGroup: earning
- systemName: SilverEarning
  name: Silver 7 %
  kind: earnPoints
  percent: 7
  balanceType: Bonus
  customField: { name: Rank, equals: Silver }
  exclusivityGroup: earning
  priority: 10
- systemName: GoldEarning
  name: Gold 10 %
  kind: earnPoints
  percent: 10
  balanceType: Bonus
  lifetimeDays: 180
  customField: { name: Rank, equals: Gold }
  exclusivityGroup: earning
  priority: 20
- systemName: PointsPayment
  name: Оплата баллами до 50 %
  kind: pointsPaymentLimit
  percent: 50
  balanceType: Bonus
`),
    );
    assert.deepEqual(
      promotions.map((promotion) => [promotion.systemName, promotion.kind, promotion.percent, promotion.priority]),
      [
        ['BaseEarning', 'earnPoints', 5, undefined],
        ['SilverEarning', 'earnPoints', 7, 10],
        ['GoldEarning', 'earnPoints', 10, 20],
        ['PointsPayment', 'pointsPaymentLimit', 50, undefined],
      ],
    );
    assert.deepEqual(promotions[2], {
      systemName: 'GoldEarning',
      name: 'Gold 10 %',
      kind: 'earnPoints',
      percent: 10,
      balanceType: 'Bonus',
      lifetimeDays: 180,
      customField: { name: 'Rank', equals: 'Gold' },
      exclusivityGroup: 'earning',
      priority: 20,
    });
  });

  it('accepts a lunch discount with every kind of condition, keeping roubles and percents as written', () => {
    const lunch = promotionSchema.parse({
      systemName: 'BusinessLunch',
      name: 'Бизнес-ланч −15 %',
      kind: 'discount',
      percent: 7.5,
      scope: 'lines',
      categories: ['lunch'],
      products: ['borscht'],
      segments: ['RankSilver', 'RankGold'],
      personal: true,
      pointsOfContact: ['cafe-arbat'],
      weekdays: [1, 2, 3, 4, 5],
      timeOfDay: { from: '12:00', to: '16:00' },
      minOrderTotal: 499.9,
      couponPool: 'Lunch',
      activeFrom: '2026-03-01T00:00:00+03:00',
      activeTill: '2026-06-01T00:00:00+03:00',
      priority: 5,
      exclusivityGroup: 'lunch',
    });
    assert.equal(lunch.kind, 'discount');
    assert.equal(lunch.percent, 7.5);
    assert.equal(lunch.minOrderTotal, 499.9);
    assert.deepEqual(promotionSchema.parse({ systemName: 'Minus300', name: '−300 ₽', kind: 'discount', amount: 300, scope: 'order' }).kind, 'discount');
  });

  it('explains what is wrong with percents, amounts and kinds', () => {
    assert.deepEqual(problems(promotionSchema, { systemName: 'Big', name: 'Big', kind: 'earnPoints', percent: 120, balanceType: 'Bonus' }), [
      'percent: a percent must be between 0 and 100',
    ]);
    assert.deepEqual(problems(promotionSchema, { systemName: 'Odd', name: 'Odd', kind: 'earnPoints', percent: 5.125, balanceType: 'Bonus' }), [
      'percent: a percent may have at most 2 decimals',
    ]);
    assert.deepEqual(problems(promotionSchema, { systemName: 'Cash', name: 'Cash', kind: 'cashback', percent: 5 }), [
      'kind: kind must be one of "discount", "earnPoints", "pointsPaymentLimit"',
    ]);
    assert.deepEqual(problems(promotionSchema, { systemName: 'Both', name: 'Both', kind: 'discount', percent: 5, amount: 100, scope: 'order' }), [
      'percent: a discount needs either "percent" or "amount", not both',
    ]);
    assert.deepEqual(problems(promotionSchema, { systemName: 'None', name: 'None', kind: 'discount', scope: 'order' }), [
      'percent: a discount needs either "percent" or "amount", not both',
    ]);
    assert.deepEqual(problems(promotionSchema, { systemName: 'Kop', name: 'Kop', kind: 'discount', amount: 10.005, scope: 'lines' }), [
      'amount: an amount may have at most 2 decimals (kopecks)',
    ]);
    assert.deepEqual(problems(promotionSchema, { systemName: 'Where', name: 'Where', kind: 'discount', percent: 5, scope: 'table' }), [
      'scope: scope must be "order" or "lines"',
    ]);
  });

  it('refuses time windows and periods that end before they start, and bad weekdays', () => {
    const base = { systemName: 'Happy', name: 'Happy hours', kind: 'discount', percent: 20, scope: 'lines' };
    assert.deepEqual(problems(promotionSchema, { ...base, timeOfDay: { from: '18:00', to: '17:00' } }), [
      'timeOfDay/to: "from" must be earlier than "to" (a window past midnight needs two promotions)',
    ]);
    assert.deepEqual(problems(promotionSchema, { ...base, timeOfDay: { from: '9:00', to: '17:00' } }), [
      'timeOfDay/from: must be a time "HH:MM" between 00:00 and 24:00',
    ]);
    assert.deepEqual(problems(promotionSchema, { ...base, activeFrom: '2026-06-01T00:00:00Z', activeTill: '2026-03-01T00:00:00Z' }), [
      'activeTill: "activeFrom" must be earlier than "activeTill"',
    ]);
    assert.deepEqual(problems(promotionSchema, { ...base, activeFrom: '2026-06-01' }), [
      'activeFrom: must be an ISO date and time with a zone, e.g. 2026-03-01T00:00:00+03:00',
    ]);
    assert.deepEqual(problems(promotionSchema, { ...base, weekdays: [0, 6] }), ['weekdays/0: weekdays go from 1 (Monday) to 7 (Sunday)']);
    assert.deepEqual(problems(promotionSchema, { ...base, weekdays: [6, 6] }), ['weekdays: weekdays must not repeat']);
    assert.ok(promotionSchema.safeParse({ ...base, timeOfDay: { from: '18:00', to: '24:00' } }).success);
  });

  it('catches typos in field names and system names instead of silently ignoring them', () => {
    assert.deepEqual(problems(promotionSchema, { systemName: 'Typo', name: 'Typo', kind: 'earnPoints', percent: 5, balanceType: 'Bonus', categorys: ['x'] }), [
      ': Unrecognized key: "categorys"',
    ]);
    assert.deepEqual(problems(promotionSchema, { systemName: 'Скидка', name: 'Скидка', kind: 'discount', percent: 5, scope: 'order' }), [
      'systemName: a system name starts with a Latin letter and has only Latin letters, digits, "_" and "-"',
    ]);
    assert.deepEqual(problems(promotionSchema, { systemName: 'Empty', name: 'Empty', kind: 'discount', percent: 5, scope: 'order', categories: [] }), [
      'categories: list at least one category or leave the condition out',
    ]);
  });

  it('refuses two promotions with the same system name in one project', () => {
    const earning = { name: 'Баллы', kind: 'earnPoints', percent: 5, balanceType: 'Bonus' };
    assert.deepEqual(problems(promotionListSchema, [{ systemName: 'Base', ...earning }, { systemName: 'Base', ...earning }]), [
      '1/systemName: promotion "Base" is defined twice',
    ]);
  });
});

describe('couponPoolSchema', () => {
  it('accepts single-use and per-customer pools', () => {
    assert.deepEqual(couponPoolSchema.parse({ systemName: 'Welcome', name: 'Приветственный', usage: 'single' }), {
      systemName: 'Welcome',
      name: 'Приветственный',
      usage: 'single',
    });
    assert.equal(couponPoolSchema.parse({ systemName: 'Coffee', name: 'Кофе', usage: 'perCustomer', limitPerCustomer: 3 }).limitPerCustomer, 3);
  });

  it('refuses a per-customer limit on a single-use pool and unknown usages', () => {
    assert.deepEqual(problems(couponPoolSchema, { systemName: 'Welcome', name: 'W', usage: 'single', limitPerCustomer: 2 }), [
      'limitPerCustomer: limitPerCustomer applies only to usage "perCustomer"',
    ]);
    assert.deepEqual(problems(couponPoolSchema, { systemName: 'Welcome', name: 'W', usage: 'twice' }), ['usage: usage must be "single" or "perCustomer"']);
  });
});
