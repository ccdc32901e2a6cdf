// Promotions and coupon pools as an operator writes them in the project file (YAML or JSON).
// Values stay human here — percents like 5 or 7.5, money in roubles like 1500 or 99.90 — so a parsed
// definition can be written back unchanged; the calculation converts them with `src/shared/money.ts`.
import { z } from 'zod';
import { parseMinor } from '../shared/money.ts';

const SYSTEM_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const CLOCK = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

const systemName = z
  .string({ error: 'must be a text' })
  .regex(SYSTEM_NAME, 'a system name starts with a Latin letter and has only Latin letters, digits, "_" and "-"');

const label = z.string({ error: 'must be a text' }).trim().min(1, 'must not be empty');

const hasAtMostTwoDecimals = (value: number) => parseMinor(value, 2) !== null;

const percent = z
  .number({ error: 'a percent must be a number, e.g. 5 or 7.5' })
  .min(0, 'a percent must be between 0 and 100')
  .max(100, 'a percent must be between 0 and 100')
  .refine(hasAtMostTwoDecimals, 'a percent may have at most 2 decimals');

const roubles = z
  .number({ error: 'an amount must be a number of roubles, e.g. 1500 or 99.90' })
  .min(0, 'an amount must not be negative')
  .refine(hasAtMostTwoDecimals, 'an amount may have at most 2 decimals (kopecks)');

const positiveRoubles = roubles.refine((value) => value > 0, 'an amount must be above 0');

const clock = z.string({ error: 'must be a time "HH:MM"' }).regex(CLOCK, 'must be a time "HH:MM" between 00:00 and 24:00');

const dateTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO date and time with a zone, e.g. 2026-03-01T00:00:00+03:00',
});

function uniqueList<T extends z.ZodType>(item: T, what: string) {
  return z
    .array(item)
    .min(1, `list at least one ${what} or leave the condition out`)
    .refine((values) => new Set(values).size === values.length, `${what} ids must not repeat`);
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

// Fields every kind shares: identity, conditions (all optional, all must hold) and arbitration.
const commonFields = {
  systemName,
  name: label,
  /** A line matches when its product is one of these (catalogue products only) … */
  products: uniqueList(label, 'product').optional(),
  /** … or it sits in one of these categories or in any of their sub-categories. */
  categories: uniqueList(label, 'category').optional(),
  /** The customer is in at least one of these segments. */
  segments: uniqueList(systemName, 'segment').optional(),
  /** A customer custom field has exactly this value, e.g. Rank = Gold. */
  customField: z.strictObject({ name: systemName, equals: z.union([z.string(), z.number(), z.boolean()]) }).optional(),
  /** Only for an identified customer, with a confirmed phone when the integration point confirms phones. */
  personal: z.boolean().optional(),
  /** The order comes from one of these points of contact (restaurants). */
  pointsOfContact: uniqueList(label, 'point of contact').optional(),
  /** ISO weekdays in the project time zone, Monday = 1 … Sunday = 7. */
  weekdays: z
    .array(z.number().int('a weekday is a whole number').min(1, 'weekdays go from 1 (Monday) to 7 (Sunday)').max(7, 'weekdays go from 1 (Monday) to 7 (Sunday)'))
    .min(1, 'list at least one weekday or leave the condition out')
    .refine((days) => new Set(days).size === days.length, 'weekdays must not repeat')
    .optional(),
  /** Local time window in the project time zone: `from` included, `to` excluded. */
  timeOfDay: z
    .strictObject({ from: clock, to: clock })
    .refine((window) => !CLOCK.test(window.from) || !CLOCK.test(window.to) || minutesOf(window.from) < minutesOf(window.to), {
      message: '"from" must be earlier than "to" (a window past midnight needs two promotions)',
      path: ['to'],
    })
    .optional(),
  /** Order total in roubles after the POS's own discounts and before ours. */
  minOrderTotal: roubles.optional(),
  /** Applies only when the order carries a usable coupon of this pool. */
  couponPool: systemName.optional(),
  /** Active from this moment (included) … */
  activeFrom: dateTime.optional(),
  /** … till this moment (excluded). */
  activeTill: dateTime.optional(),
  /** Higher goes first; 0 when left out. */
  priority: z.number().int('a priority is a whole number').optional(),
  /** Within one group each line gets only the highest-priority applicable promotion; promotions without a group stack. */
  exclusivityGroup: label.optional(),
};

const discountPromotion = z.strictObject({
  ...commonFields,
  kind: z.literal('discount'),
  /** Percent off — give either this or `amount`. */
  percent: percent.optional(),
  /** Roubles off: per order (`scope: order`) or per item of each matching line (`scope: lines`). */
  amount: positiveRoubles.optional(),
  scope: z.enum(['order', 'lines'], { error: 'scope must be "order" or "lines"' }),
});

const earnPointsPromotion = z.strictObject({
  ...commonFields,
  kind: z.literal('earnPoints'),
  /** Points earned, as a percent of the amount paid in money (1 point per rouble). */
  percent,
  balanceType: systemName,
  /** Overrides the balance type's default lifetime of earned points. */
  lifetimeDays: z.number().int('lifetimeDays is a whole number of days').positive('lifetimeDays must be above 0').optional(),
});

const pointsPaymentLimitPromotion = z.strictObject({
  ...commonFields,
  kind: z.literal('pointsPaymentLimit'),
  /** The largest part of the bill (after discounts) that points may pay. */
  percent,
  /** Limits spending of this balance type only; every balance type when left out. */
  balanceType: systemName.optional(),
});

export const promotionSchema = z
  .discriminatedUnion('kind', [discountPromotion, earnPointsPromotion, pointsPaymentLimitPromotion], {
    error: 'kind must be one of "discount", "earnPoints", "pointsPaymentLimit"',
  })
  .superRefine((promotion, ctx) => {
    if (promotion.kind === 'discount' && (promotion.percent === undefined) === (promotion.amount === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a discount needs either "percent" or "amount", not both', path: ['percent'] });
    }
    if (promotion.kind === 'discount' && promotion.percent === 0) {
      ctx.addIssue({ code: 'custom', message: 'a discount percent must be above 0', path: ['percent'] });
    }
    if (promotion.activeFrom && promotion.activeTill && Date.parse(promotion.activeFrom) >= Date.parse(promotion.activeTill)) {
      ctx.addIssue({ code: 'custom', message: '"activeFrom" must be earlier than "activeTill"', path: ['activeTill'] });
    }
  });

export type PromotionDefinition = z.infer<typeof promotionSchema>;

/** The promotions section of a project file: system names are unique. */
export const promotionListSchema = z.array(promotionSchema).superRefine((promotions, ctx) => {
  const seen = new Set<string>();
  promotions.forEach((promotion, index) => {
    if (seen.has(promotion.systemName)) {
      ctx.addIssue({ code: 'custom', message: `promotion "${promotion.systemName}" is defined twice`, path: [index, 'systemName'] });
    }
    seen.add(promotion.systemName);
  });
});

export const couponPoolSchema = z
  .strictObject({
    systemName,
    name: label,
    /** `single`: a code works once in all; `perCustomer`: each customer may use a code up to `limitPerCustomer` times (1 when left out). */
    usage: z.enum(['single', 'perCustomer'], { error: 'usage must be "single" or "perCustomer"' }),
    limitPerCustomer: z.number().int('limitPerCustomer is a whole number').positive('limitPerCustomer must be above 0').optional(),
  })
  .refine((pool) => pool.limitPerCustomer === undefined || pool.usage === 'perCustomer', {
    message: 'limitPerCustomer applies only to usage "perCustomer"',
    path: ['limitPerCustomer'],
  });
