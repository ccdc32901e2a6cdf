// The cart calculation: a pure, deterministic function of the bill, the customer, the promotions and `now`.
// Everything is integers: kopecks for money, thousandths for quantities, the balance type's minor units
// for points (whole points, or hundredths for fractional types), hundredths of a percent for percents.
//
// Order of work: line totals → the POS's own (external) discounts → our discounts by priority →
// points spending → points earning on what is left to pay in money → coupons. What the cashier is shown of
// it is the protocol's (src/protocol/mindbox/shapes/order-answer.ts).
import { parseMinor } from '../shared/money.ts';
import { localTime, localWeekday } from '../shared/time-zone.ts';
import { distributeByLargestRemainder } from './distribute.ts';
import type { PromotionDefinition } from './promotions.schemas.ts';

export type CalculationMode = 'authorized' | 'anonymous' | 'offline';
export type CouponStatus = 'CanBeUsed' | 'NotFound' | 'Used' | 'Blocked' | 'YetNotActive' | 'AlreadyNotActive';
export type CouponResultStatus = CouponStatus | 'CanNotBeUsedForCurrentOrder';

/** A discount the POS applied itself; taken as given, before ours. */
export interface RequestedPromotion {
  externalId: string;
  /** kopecks off the line */
  amount: number;
  name?: string;
}

export interface CartLineInput {
  lineNumber: number;
  lineId?: string;
  /** the product's id in the external system (the key the POS uses under `product.ids`) */
  productId?: string;
  /** whether the catalogue knows the product; `products` conditions match catalogue products only */
  productKnown: boolean;
  /** the product's categories together with all their ancestors, resolved by the caller */
  categoryIds: string[];
  /** thousandths: 1.5 kg → 1500 */
  quantity: number;
  /** kopecks */
  basePricePerItem: number;
  /** kopecks; the line never costs less than this times the quantity */
  minPricePerItem?: number;
  requestedPromotions: RequestedPromotion[];
}

export interface CartCustomer {
  isPhoneConfirmed: boolean;
  segments: string[];
  customFields: Record<string, unknown>;
}

export interface CartBalanceType {
  systemName: string;
  name: string;
  /** fractional types count in hundredths of a point, whole types in points */
  fractional: boolean;
  /** default lifetime of earned points; null: they never expire */
  lifetimeDays: number | null;
}

export interface CartCoupon {
  code: string;
  status: CouponStatus;
  /** the coupon pool's system name, when the code was found */
  pool?: string;
}

export interface CartInput {
  now: Date;
  /** IANA zone for weekday and time-of-day conditions, e.g. `Europe/Moscow` */
  timeZone: string;
  pointOfContact?: string;
  lines: CartLineInput[];
  /** null: anonymous guest */
  customer: CartCustomer | null;
  /** integration point setting: personal promotions only for confirmed phones */
  phoneConfirmationRequired: boolean;
  balanceType: CartBalanceType | null;
  /** balance type minor units; a negative balance cannot be spent */
  pointsAvailable: number;
  /** balance type minor units the POS asks to spend (`order.bonusPoints[].amount`); 0 when none */
  pointsRequested: number;
  promotions: PromotionDefinition[];
  coupons: CartCoupon[];
  /** anonymous: no personal promotions, no points; offline: none of our discounts and no spending, only earning */
  mode: CalculationMode;
}

export interface PromotionRef {
  externalId: string;
  name: string;
  /** `own`: one of the project's promotions; `external`: a discount the POS applied */
  origin: 'own' | 'external';
}

export type AppliedPromotion =
  | { type: 'discount'; promotion: PromotionRef; /** kopecks */ amount: number; couponCode?: string }
  | {
      type: 'spentBonusPoints';
      /** the points limit promotion that allowed spending on this line */
      promotion: PromotionRef;
      /** kopecks off the line */
      amount: number;
      /** balance type minor units */
      points: number;
    }
  | {
      type: 'earnedBonusPoints';
      promotion: PromotionRef;
      /** balance type minor units */
      points: number;
      expirationDateTimeUtc: Date | null;
      couponCode?: string;
    };

export interface CartLineResult {
  lineNumber: number;
  lineId?: string;
  /** kopecks: base price × quantity, rounded half up */
  lineTotal: number;
  /** kopecks: min price × quantity, rounded half up, never above the line total */
  minimumLineTotal: number;
  /** kopecks: what the guest pays in money for the line after every discount and points */
  discountedPriceOfLine: number;
  appliedPromotions: AppliedPromotion[];
}

export interface EarnedPoints {
  promotion: PromotionRef;
  points: number;
  expirationDateTimeUtc: Date | null;
}

export interface CouponResult {
  code: string;
  status: CouponResultStatus;
  pool?: string;
  /** kopecks of discount that the coupon's promotions gave on this order */
  discountAmount: number;
}

export interface CartResult {
  lines: CartLineResult[];
  /** kopecks: sum of line totals before any discount */
  subtotal: number;
  /** kopecks: the POS's and our discounts, points not included */
  discountTotal: number;
  /** kopecks: the sum of `discountedPriceOfLine` */
  totalPrice: number;
  /** whether this order takes part in points at all (identified customer, a balance type, not anonymous) */
  pointsProcessed: boolean;
  /** balance type minor units: the most this order may be paid with */
  pointsAvailableForOrder: number;
  /** balance type minor units actually spent */
  pointsSpent: number;
  /** kopecks the spent points took off the bill */
  pointsSpentMoney: number;
  /** balance type minor units to be earned */
  pointsEarned: number;
  /** per earning promotion, for the ledger */
  earnings: EarnedPoints[];
  coupons: CouponResult[];
}

const PERCENT_DENOMINATOR = 10_000; // percents are carried in hundredths: 7.5 % → 750
const QUANTITY_SCALE = 1_000;
const DAY_MS = 86_400_000;

interface LineState {
  input: CartLineInput;
  lineTotal: number;
  minimum: number;
  /** kopecks still to pay after what has been applied so far */
  amount: number;
  applied: AppliedPromotion[];
}

interface ActivePromotion {
  definition: PromotionDefinition;
  ref: PromotionRef;
  priority: number;
  /** position in the input list, the tie-breaker after priority */
  position: number;
  couponCode?: string;
  /** lines this promotion applies to after exclusivity arbitration */
  lines: number[];
}

/** floor(dividend / divisor) for non-negative safe integers, without float division. */
function floorDiv(dividend: number, divisor: number): number {
  return (dividend - (dividend % divisor)) / divisor;
}

function roundHalfUpDiv(dividend: number, divisor: number): number {
  return floorDiv(dividend + floorDiv(divisor, 2), divisor);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function percentOf(amount: number, hundredthsOfPercent: number): number {
  return floorDiv(amount * hundredthsOfPercent, PERCENT_DENOMINATOR);
}

/** Kopecks one balance unit is worth: 1 point = 1 rouble, so a whole point is 100 kopecks, a hundredth is 1. */
function kopecksPerUnit(balanceType: CartBalanceType): number {
  return balanceType.fractional ? 1 : 100;
}

function hundredthsOfPercent(percent: number): number {
  const value = parseMinor(percent, 2);
  if (value === null) throw new RangeError(`not a percent with at most 2 decimals: ${percent}`);
  return value;
}

function kopecksOf(roubles: number): number {
  const value = parseMinor(roubles, 2);
  if (value === null) throw new RangeError(`not an amount with at most 2 decimals: ${roubles}`);
  return value;
}

function assertInteger(value: number, what: string, minimum = Number.MIN_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(`${what} must be an integer${minimum === 0 ? ' ≥ 0' : ''} in minor units, got ${value}`);
  }
}

function assertInput(input: CartInput): void {
  input.lines.forEach((line, index) => {
    assertInteger(line.quantity, `lines[${index}].quantity`, 0);
    assertInteger(line.basePricePerItem, `lines[${index}].basePricePerItem`, 0);
    if (line.minPricePerItem !== undefined) assertInteger(line.minPricePerItem, `lines[${index}].minPricePerItem`, 0);
    line.requestedPromotions.forEach((requested, position) =>
      assertInteger(requested.amount, `lines[${index}].requestedPromotions[${position}].amount`),
    );
  });
  assertInteger(input.pointsAvailable, 'pointsAvailable');
  assertInteger(input.pointsRequested, 'pointsRequested');
  if (Number.isNaN(input.now.getTime())) throw new RangeError('now is not a valid date');
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

function sameValue(actual: unknown, expected: string | number | boolean): boolean {
  if (actual === expected) return true;
  return (typeof actual === 'string' || typeof actual === 'number' || typeof actual === 'boolean') && String(actual) === String(expected);
}

function coversLine(promotion: PromotionDefinition, line: CartLineInput): boolean {
  if (!promotion.products && !promotion.categories) return true;
  const byProduct = line.productKnown && line.productId !== undefined && (promotion.products?.includes(line.productId) ?? false);
  const byCategory = promotion.categories?.some((category) => line.categoryIds.includes(category)) ?? false;
  return byProduct || byCategory;
}

interface OrderContext {
  input: CartInput;
  customer: CartCustomer | null;
  /** the local weekday and minute of `now`, read when a promotion asks: reading them costs more than the rest of a bill */
  clock: () => { weekday: number; minutes: number };
  /** kopecks after the POS's discounts, before ours: what `minOrderTotal` compares with */
  orderTotalBeforeOurDiscounts: number;
  pointsProcessed: boolean;
}

function kindAllowed(promotion: PromotionDefinition, context: OrderContext): boolean {
  const { input } = context;
  switch (promotion.kind) {
    case 'discount':
      return input.mode !== 'offline';
    case 'earnPoints':
      return context.pointsProcessed && promotion.balanceType === input.balanceType!.systemName;
    case 'pointsPaymentLimit':
      return (
        context.pointsProcessed &&
        input.mode === 'authorized' &&
        (promotion.balanceType === undefined || promotion.balanceType === input.balanceType!.systemName)
      );
  }
}

function conditionsHold(promotion: PromotionDefinition, context: OrderContext): boolean {
  const { input, customer, clock } = context;
  const now = input.now.getTime();
  if (promotion.activeFrom && now < Date.parse(promotion.activeFrom)) return false;
  if (promotion.activeTill && now >= Date.parse(promotion.activeTill)) return false;
  if (promotion.personal && (!customer || (input.phoneConfirmationRequired && !customer.isPhoneConfirmed))) return false;
  if (promotion.segments && !promotion.segments.some((segment) => customer?.segments.includes(segment))) return false;
  if (promotion.customField && !(customer && sameValue(customer.customFields[promotion.customField.name], promotion.customField.equals))) {
    return false;
  }
  if (promotion.pointsOfContact && !(input.pointOfContact !== undefined && promotion.pointsOfContact.includes(input.pointOfContact))) {
    return false;
  }
  if (promotion.weekdays && !promotion.weekdays.includes(clock().weekday)) return false;
  if (promotion.timeOfDay) {
    const { from, to } = promotion.timeOfDay;
    const { minutes } = clock();
    if (minutes < minutesOf(from) || minutes >= minutesOf(to)) return false;
  }
  if (promotion.minOrderTotal !== undefined && context.orderTotalBeforeOurDiscounts < kopecksOf(promotion.minOrderTotal)) return false;
  return true;
}

/** The first coupon (in request order) that can be used and belongs to the pool. */
function usableCoupon(coupons: CartCoupon[], pool: string): CartCoupon | undefined {
  return coupons.find((coupon) => coupon.status === 'CanBeUsed' && coupon.pool === pool);
}

/**
 * Promotions whose order-level conditions hold, sorted by priority (higher first, then file order),
 * each with the lines it wins: within an exclusivity group every line keeps only the first promotion of
 * the group that covers it.
 */
function applicablePromotions(context: OrderContext, lines: LineState[]): ActivePromotion[] {
  const active: ActivePromotion[] = [];
  context.input.promotions.forEach((definition, position) => {
    if (!kindAllowed(definition, context) || !conditionsHold(definition, context)) return;
    const coupon = definition.couponPool === undefined ? undefined : usableCoupon(context.input.coupons, definition.couponPool);
    if (definition.couponPool !== undefined && !coupon) return;
    active.push({
      definition,
      ref: { externalId: definition.systemName, name: definition.name, origin: 'own' },
      priority: definition.priority ?? 0,
      position,
      couponCode: coupon?.code,
      lines: [],
    });
  });
  active.sort((a, b) => b.priority - a.priority || a.position - b.position);

  lines.forEach((line, lineIndex) => {
    const takenGroups = new Set<string>();
    for (const promotion of active) {
      if (!coversLine(promotion.definition, line.input)) continue;
      const group = promotion.definition.exclusivityGroup;
      if (group !== undefined) {
        if (takenGroups.has(group)) continue;
        takenGroups.add(group);
      }
      promotion.lines.push(lineIndex);
    }
  });
  return active.filter((promotion) => promotion.lines.length > 0);
}

const roomOf = (line: LineState) => line.amount - line.minimum;

/** Kopecks a discount promotion takes off each of its lines, never below a line's minimum. */
function discountShares(promotion: ActivePromotion, definition: Extract<PromotionDefinition, { kind: 'discount' }>, lines: LineState[]): number[] {
  const own = promotion.lines.map((index) => lines[index]);
  const rooms = own.map(roomOf);
  if (definition.percent !== undefined) {
    const percent = hundredthsOfPercent(definition.percent);
    if (definition.scope === 'lines') return own.map((line, i) => Math.min(rooms[i], percentOf(line.amount, percent)));
    const total = percentOf(sum(own.map((line) => line.amount)), percent);
    return distributeByLargestRemainder(total, own.map((line) => line.amount), rooms);
  }
  const amount = kopecksOf(definition.amount!);
  if (definition.scope === 'lines') {
    return own.map((line, i) => Math.min(rooms[i], floorDiv(amount * line.input.quantity, QUANTITY_SCALE)));
  }
  return distributeByLargestRemainder(amount, own.map((line) => line.amount), rooms);
}

interface SpendOutcome {
  availableForOrder: number;
  spent: number;
}

/**
 * Spends points as money off the lines that a points limit promotion covers. The spend is the smallest of
 * what was asked, the balance (nothing when negative), the limit percent of those lines after discounts,
 * and what the lines can still give above their minimums; whole-point types spend whole points on every
 * line. Shares follow the lines' amounts, remainders by the largest remainder.
 */
function spendPoints(input: CartInput, limits: ActivePromotion[], lines: LineState[]): SpendOutcome {
  const unit = kopecksPerUnit(input.balanceType!);
  const limitOfLine = new Map<number, { promotion: ActivePromotion; percent: number }>();
  for (const promotion of limits) {
    const percent = hundredthsOfPercent(promotion.definition.percent!);
    for (const index of promotion.lines) {
      const current = limitOfLine.get(index);
      if (!current || percent > current.percent) limitOfLine.set(index, { promotion, percent });
    }
  }
  const limitMoney = floorDiv(
    sum(lines.map((line, index) => line.amount * (limitOfLine.get(index)?.percent ?? 0))),
    PERCENT_DENOMINATOR,
  );
  const roomUnits = lines.map((line, index) => (limitOfLine.has(index) ? floorDiv(roomOf(line), unit) : 0));
  const availableForOrder = Math.min(Math.max(input.pointsAvailable, 0), floorDiv(limitMoney, unit), sum(roomUnits));
  const spent = Math.min(Math.max(input.pointsRequested, 0), availableForOrder);
  if (spent === 0) return { availableForOrder, spent };

  const weights = lines.map((line, index) => (limitOfLine.has(index) ? line.amount : 0));
  distributeByLargestRemainder(spent, weights, roomUnits).forEach((units, index) => {
    if (units === 0) return;
    const line = lines[index];
    const money = units * unit;
    line.amount -= money;
    line.applied.push({ type: 'spentBonusPoints', promotion: limitOfLine.get(index)!.promotion.ref, amount: money, points: units });
  });
  return { availableForOrder, spent };
}

/**
 * Each earning promotion earns its percent of the money its lines still cost. Rounding is per order and
 * promotion: the order amount is rounded down (whole points for whole types, hundredths otherwise) and
 * then spread over the lines by the largest remainder, so the line amounts add up to the order amount.
 */
function earnPoints(input: CartInput, earning: ActivePromotion[], lines: LineState[]): EarnedPoints[] {
  const balanceType = input.balanceType!;
  const unit = kopecksPerUnit(balanceType);
  const earnings: EarnedPoints[] = [];
  for (const promotion of earning) {
    const definition = promotion.definition as Extract<PromotionDefinition, { kind: 'earnPoints' }>;
    const percent = hundredthsOfPercent(definition.percent);
    const paid = promotion.lines.map((index) => lines[index].amount);
    const points = floorDiv(sum(paid) * percent, PERCENT_DENOMINATOR * unit);
    if (points === 0) continue;
    const lifetimeDays = definition.lifetimeDays ?? balanceType.lifetimeDays;
    const expirationDateTimeUtc = lifetimeDays === null ? null : new Date(input.now.getTime() + lifetimeDays * DAY_MS);
    distributeByLargestRemainder(points, paid).forEach((share, position) => {
      if (share === 0) return;
      lines[promotion.lines[position]].applied.push({
        type: 'earnedBonusPoints',
        promotion: promotion.ref,
        points: share,
        expirationDateTimeUtc,
        ...(promotion.couponCode === undefined ? {} : { couponCode: promotion.couponCode }),
      });
    });
    earnings.push({ promotion: promotion.ref, points, expirationDateTimeUtc });
  }
  return earnings;
}

/**
 * One coupon per pool is taken: the first usable one, when a promotion of its pool changed the bill or
 * the points. Other usable coupons come back as `CanNotBeUsedForCurrentOrder`; the rest keep their status.
 */
function couponResults(coupons: CartCoupon[], effects: Map<string, number>, used: Set<string>): CouponResult[] {
  const seen = new Set<string>();
  const results: CouponResult[] = [];
  for (const coupon of coupons) {
    if (seen.has(coupon.code)) continue;
    seen.add(coupon.code);
    const taken = coupon.status === 'CanBeUsed' && coupon.pool !== undefined && used.has(coupon.code);
    results.push({
      code: coupon.code,
      status: coupon.status === 'CanBeUsed' && !taken ? 'CanNotBeUsedForCurrentOrder' : coupon.status,
      ...(coupon.pool === undefined ? {} : { pool: coupon.pool }),
      discountAmount: taken ? (effects.get(coupon.code) ?? 0) : 0,
    });
  }
  return results;
}

export function calculateCart(input: CartInput): CartResult {
  assertInput(input);
  const customer = input.mode === 'anonymous' ? null : input.customer;
  const pointsProcessed = customer !== null && input.balanceType !== null;

  const lines: LineState[] = input.lines.map((line) => {
    const lineTotal = roundHalfUpDiv(line.basePricePerItem * line.quantity, QUANTITY_SCALE);
    const minimum = Math.min(lineTotal, roundHalfUpDiv((line.minPricePerItem ?? 0) * line.quantity, QUANTITY_SCALE));
    return { input: line, lineTotal, minimum, amount: lineTotal, applied: [] };
  });

  // The POS's own discounts are facts of the bill: taken as sent, only kept within the line's minimum.
  for (const line of lines) {
    for (const requested of line.input.requestedPromotions) {
      const amount = Math.min(Math.max(requested.amount, 0), roomOf(line));
      if (amount === 0) continue;
      line.amount -= amount;
      line.applied.push({
        type: 'discount',
        promotion: { externalId: requested.externalId, name: requested.name ?? requested.externalId, origin: 'external' },
        amount,
      });
    }
  }

  let clock: { weekday: number; minutes: number } | undefined;
  const context: OrderContext = {
    input,
    customer,
    clock: () => (clock ??= { weekday: localWeekday(input.now, input.timeZone), minutes: minutesOf(localTime(input.now, input.timeZone)) }),
    orderTotalBeforeOurDiscounts: sum(lines.map((line) => line.amount)),
    pointsProcessed,
  };
  const promotions = applicablePromotions(context, lines);
  const couponEffects = new Map<string, number>();
  const usedCoupons = new Set<string>();
  const markCoupon = (promotion: ActivePromotion, discount: number) => {
    if (promotion.couponCode === undefined) return;
    usedCoupons.add(promotion.couponCode);
    couponEffects.set(promotion.couponCode, (couponEffects.get(promotion.couponCode) ?? 0) + discount);
  };

  for (const promotion of promotions) {
    const definition = promotion.definition;
    if (definition.kind !== 'discount') continue;
    const shares = discountShares(promotion, definition, lines);
    shares.forEach((amount, position) => {
      if (amount === 0) return;
      const line = lines[promotion.lines[position]];
      line.amount -= amount;
      line.applied.push({
        type: 'discount',
        promotion: promotion.ref,
        amount,
        ...(promotion.couponCode === undefined ? {} : { couponCode: promotion.couponCode }),
      });
    });
    if (sum(shares) > 0) markCoupon(promotion, sum(shares));
  }

  let spend: SpendOutcome = { availableForOrder: 0, spent: 0 };
  let earnings: EarnedPoints[] = [];
  if (pointsProcessed) {
    const limits = promotions.filter((promotion) => promotion.definition.kind === 'pointsPaymentLimit');
    spend = spendPoints(input, limits, lines);
    for (const limit of limits) {
      const spentOnItsLines = limit.lines.some((index) =>
        lines[index].applied.some((applied) => applied.type === 'spentBonusPoints' && applied.promotion === limit.ref),
      );
      if (spentOnItsLines) markCoupon(limit, 0);
    }
    const earning = promotions.filter((promotion) => promotion.definition.kind === 'earnPoints');
    earnings = earnPoints(input, earning, lines);
    for (const promotion of earning) {
      if (earnings.some((earned) => earned.promotion === promotion.ref)) markCoupon(promotion, 0);
    }
  }

  const pointsEarned = sum(earnings.map((earned) => earned.points));
  const resultLines: CartLineResult[] = lines.map((line) => ({
    lineNumber: line.input.lineNumber,
    ...(line.input.lineId === undefined ? {} : { lineId: line.input.lineId }),
    lineTotal: line.lineTotal,
    minimumLineTotal: line.minimum,
    discountedPriceOfLine: line.amount,
    appliedPromotions: line.applied,
  }));
  const discountTotal = sum(
    lines.flatMap((line) => line.applied.map((applied) => (applied.type === 'discount' ? applied.amount : 0))),
  );

  return {
    lines: resultLines,
    subtotal: sum(lines.map((line) => line.lineTotal)),
    discountTotal,
    totalPrice: sum(lines.map((line) => line.amount)),
    pointsProcessed,
    pointsAvailableForOrder: spend.availableForOrder,
    pointsSpent: spend.spent,
    pointsSpentMoney: input.balanceType ? spend.spent * kopecksPerUnit(input.balanceType) : 0,
    pointsEarned,
    earnings,
    coupons: couponResults(input.coupons, couponEffects, usedCoupons),
  };
}
