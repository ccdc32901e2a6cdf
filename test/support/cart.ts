// Bills, guests and the iiko loyalty rules for tests of the cart calculation and of how its result is shown:
// a café menu, Moscow time on a Monday lunch, the preset's earning by rank and paying half the bill with points.
import type { CartBalanceType, CartCustomer, CartInput, CartLineInput } from '../../src/loyalty/calculate.ts';
import { promotionListSchema, type PromotionDefinition } from '../../src/loyalty/promotions.schemas.ts';
import { parseMinor } from '../../src/shared/money.ts';

// 2026-03-02 is a Monday; 09:30 UTC is 12:30 in Moscow.
export const NOW = new Date('2026-03-02T09:30:00Z');
export const BONUS: CartBalanceType = { systemName: 'Bonus', name: 'Бонусы', fractional: false, lifetimeDays: 365 };

export const IIKO_PRESET = promotionListSchema.parse([
  { systemName: 'BaseEarning', name: 'Баллы 5 %', kind: 'earnPoints', percent: 5, balanceType: 'Bonus', exclusivityGroup: 'earning' },
  {
    systemName: 'SilverEarning',
    name: 'Silver 7 %',
    kind: 'earnPoints',
    percent: 7,
    balanceType: 'Bonus',
    customField: { name: 'Rank', equals: 'Silver' },
    exclusivityGroup: 'earning',
    priority: 10,
  },
  {
    systemName: 'GoldEarning',
    name: 'Gold 10 %',
    kind: 'earnPoints',
    percent: 10,
    balanceType: 'Bonus',
    customField: { name: 'Rank', equals: 'Gold' },
    exclusivityGroup: 'earning',
    priority: 20,
  },
  { systemName: 'PointsPayment', name: 'Оплата баллами до 50 %', kind: 'pointsPaymentLimit', percent: 50, balanceType: 'Bonus' },
]);

export const MENU = {
  cappuccino: { price: 250, categoryIds: ['coffee', 'drinks'] },
  espresso: { price: 150, categoryIds: ['coffee', 'drinks'] },
  croissant: { price: 180, categoryIds: ['bakery'] },
  carbonara: { price: 590, categoryIds: ['pasta', 'kitchen'] },
  cheesecake: { price: 320, categoryIds: ['cakes', 'desserts'] },
  borscht: { price: 390, categoryIds: ['soups', 'lunch'] },
  beer: { price: 350, categoryIds: ['beer', 'bar'], minPrice: 300 },
} as const;
export type Dish = keyof typeof MENU;

export function kopecks(roubles: number): number {
  return parseMinor(roubles)!;
}

export function line(lineNumber: number, dish: Dish, items = 1, extra: Partial<CartLineInput> = {}): CartLineInput {
  const menu: { price: number; categoryIds: readonly string[]; minPrice?: number } = MENU[dish];
  return {
    lineNumber,
    productId: dish,
    productKnown: true,
    categoryIds: [...menu.categoryIds],
    quantity: parseMinor(items, 3)!,
    basePricePerItem: kopecks(menu.price),
    ...(menu.minPrice === undefined ? {} : { minPricePerItem: kopecks(menu.minPrice) }),
    requestedPromotions: [],
    ...extra,
  };
}

export function guest(rank?: string, extra: Partial<CartCustomer> = {}): CartCustomer {
  return { isPhoneConfirmed: true, segments: [], customFields: rank ? { Rank: rank } : {}, ...extra };
}

export function cart(overrides: Partial<CartInput> = {}): CartInput {
  return {
    now: NOW,
    timeZone: 'Europe/Moscow',
    pointOfContact: 'cafe-arbat',
    lines: LUNCH_FOR_TWO(),
    customer: guest('Gold'),
    phoneConfirmationRequired: true,
    balanceType: BONUS,
    pointsAvailable: 1000,
    pointsRequested: 0,
    promotions: IIKO_PRESET,
    coupons: [],
    mode: 'authorized',
    ...overrides,
  };
}

/** Two cappuccinos, a carbonara and a cheesecake: 500 + 590 + 320 = 1 410 ₽. */
function LUNCH_FOR_TWO(): CartLineInput[] {
  return [line(1, 'cappuccino', 2), line(2, 'carbonara'), line(3, 'cheesecake')];
}

export function promotions(...definitions: unknown[]): PromotionDefinition[] {
  return promotionListSchema.parse(definitions);
}
