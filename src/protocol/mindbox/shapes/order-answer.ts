// The `order` node of the answers to a preorder and a create, as the Mindbox protocol shows an order's
// calculation: decimal roubles and points, promotions per line, points and coupons info, and the cashier's
// text as a placeholder; with the ids an answer names the order by and the description of a changed price.
// The calculation itself is the domain's, in minor units (src/loyalty/calculate.ts).
import { loadGuestView, type CustomerRow } from '../../../customers/customers.service.ts';
import type { Db } from '../../../db/database.ts';
import { withAnswerKeys } from '../../../wire/field-keys.ts';
import type { BalanceMinor } from '../../../loyalty/balances.ts';
import type { CartInput, CartResult, CouponResultStatus, PromotionRef } from '../../../loyalty/calculate.ts';
import type { OrderLineInput } from '../../../orders/order.types.ts';
import type { ProjectSnapshot } from '../../../project/snapshot.ts';
import { toDecimal, toNumericString } from '../../../shared/money.ts';
import { wireCustomer } from './customer.ts';

export interface WireBalanceType {
  ids: { systemName: string };
  name: string;
}

export interface WirePromotion {
  ids: { externalId: string };
  name: string;
  type: 'mindbox' | 'external';
}

export interface WireAppliedPromotion {
  type: 'discount' | 'spentBonusPoints' | 'earnedBonusPoints';
  /** roubles for `discount` and `spentBonusPoints`, points for `earnedBonusPoints` */
  amount: number;
  promotion: WirePromotion;
  coupon?: { ids: { code: string } };
  balanceType?: WireBalanceType;
  expirationDateTimeUtc?: string;
}

export interface WireOrderLine {
  lineNumber: number;
  lineId?: string;
  quantity: number;
  basePricePerItem: number;
  minPricePerItem?: number;
  discountedPriceOfLine: number;
  product: { ids: Record<string, string> };
  status?: { ids: { externalId: string } };
  appliedPromotions: WireAppliedPromotion[];
}

export interface WireBonusPointsInfo {
  status: 'Success';
  availableAmountForCurrentOrder: number;
  spentAmountForCurrentOrder: number;
  balanceType: WireBalanceType;
  balance: { total: number; available: number; blocked: number };
}

export interface WireCouponInfo {
  coupon: { ids: { code: string }; status: CouponResultStatus; pool?: { ids: { externalId: string } } };
  discountAmountForCurrentOrder: number;
}

export interface WireOrder {
  totalPrice: number;
  lines: WireOrderLine[];
  bonusPointsInfo?: WireBonusPointsInfo[];
  totalBonusPointsInfo?: WireBonusPointsInfo;
  bonusPointsChanges?: { balanceType: WireBalanceType; earnedAmount: number; spentAmount: number }[];
  couponsInfo?: WireCouponInfo[];
  placeholders: { ids: { externalId: string }; content: { type: 'text'; message: string }[] }[];
}

/** The calculation of an order, as the domain gives it. */
export interface Calculated {
  input: CartInput;
  result: CartResult;
}

/** The order as the POS sent it: the external system of its product ids and what the answer echoes of each line. */
export interface SentOrder {
  externalSystem: string;
  lines: Pick<OrderLineInput, 'quantity' | 'basePricePerItem' | 'minPricePerItem' | 'productId' | 'status'>[];
}

/** The guest's points in the balance type's minor units. */
export type PointsBalance = Pick<BalanceMinor, 'total' | 'available' | 'blocked'>;

function wirePromotion(ref: PromotionRef): WirePromotion {
  return { ids: { externalId: ref.externalId }, name: ref.name, type: ref.origin === 'own' ? 'mindbox' : 'external' };
}

/** Points in balance units as a cashier reads them: "430", "12,5". */
function formatPoints(units: number, fractional: boolean): string {
  if (!fractional) return String(units);
  return toNumericString(units, 2).replace(/\.?0+$/, '').replace('.', ',');
}

/** The text for the POS screen: who the guest is and what the order does to their points. */
function cashierMessage({ input, result }: Calculated): string {
  const customer = input.mode === 'anonymous' ? null : input.customer;
  if (!customer) return 'Гость не определён';
  const rank = customer.customFields.Rank;
  const parts = [typeof rank === 'string' && rank.trim() !== '' ? `Гость: ${rank.trim()}` : 'Гость определён'];
  if (input.phoneConfirmationRequired && !customer.isPhoneConfirmed) parts.push('телефон не подтверждён');
  if (result.pointsProcessed) {
    const fractional = input.balanceType!.fractional;
    if (input.mode === 'authorized') parts.push(`списать до ${formatPoints(result.pointsAvailableForOrder, fractional)}`);
    if (result.pointsSpent > 0) parts.push(`списывается ${formatPoints(result.pointsSpent, fractional)}`);
    parts.push(`начислится ${formatPoints(result.pointsEarned, fractional)}`);
  }
  return parts.join(' · ');
}

/**
 * The `order` node of a calculation: the order's lines as the POS sent them with what the calculation made of
 * them; the guest's balance as it stands (by default what the calculation could spend, nothing blocked).
 */
export function calculatedOrderNode({ input, result }: Calculated, order: SentOrder, balance?: PointsBalance): WireOrder {
  const balanceType = input.balanceType;
  const pointScale = balanceType?.fractional ? 2 : 0;
  const points = (units: number) => toDecimal(units, pointScale);
  const wireBalanceType: WireBalanceType | undefined = balanceType
    ? { ids: { systemName: balanceType.systemName }, name: balanceType.name }
    : undefined;

  const lines = result.lines.map((line, index): WireOrderLine => {
    const source = order.lines[index];
    return {
      lineNumber: line.lineNumber,
      ...(line.lineId === undefined ? {} : { lineId: line.lineId }),
      quantity: toDecimal(source.quantity, 3),
      basePricePerItem: toDecimal(source.basePricePerItem),
      ...(source.minPricePerItem === undefined ? {} : { minPricePerItem: toDecimal(source.minPricePerItem) }),
      discountedPriceOfLine: toDecimal(line.discountedPriceOfLine),
      product: { ids: { [order.externalSystem]: source.productId } },
      ...(source.status === undefined ? {} : { status: { ids: { externalId: source.status } } }),
      appliedPromotions: line.appliedPromotions.map((applied): WireAppliedPromotion => {
        switch (applied.type) {
          case 'discount':
            return {
              type: 'discount',
              amount: toDecimal(applied.amount),
              promotion: wirePromotion(applied.promotion),
              ...(applied.couponCode === undefined ? {} : { coupon: { ids: { code: applied.couponCode } } }),
            };
          case 'spentBonusPoints':
            return {
              type: 'spentBonusPoints',
              amount: toDecimal(applied.amount),
              promotion: wirePromotion(applied.promotion),
              balanceType: wireBalanceType,
            };
          case 'earnedBonusPoints':
            return {
              type: 'earnedBonusPoints',
              amount: points(applied.points),
              promotion: wirePromotion(applied.promotion),
              ...(applied.couponCode === undefined ? {} : { coupon: { ids: { code: applied.couponCode } } }),
              balanceType: wireBalanceType,
              ...(applied.expirationDateTimeUtc === null ? {} : { expirationDateTimeUtc: applied.expirationDateTimeUtc.toISOString() }),
            };
        }
      }),
    };
  });

  let pointsNodes: Pick<WireOrder, 'bonusPointsInfo' | 'totalBonusPointsInfo' | 'bonusPointsChanges'> = {};
  if (result.pointsProcessed && wireBalanceType) {
    const shown = balance ?? { total: input.pointsAvailable, available: input.pointsAvailable, blocked: 0 };
    const info: WireBonusPointsInfo = {
      status: 'Success',
      availableAmountForCurrentOrder: points(result.pointsAvailableForOrder),
      spentAmountForCurrentOrder: points(result.pointsSpent),
      balanceType: wireBalanceType,
      balance: { total: points(shown.total), available: points(shown.available), blocked: points(shown.blocked) },
    };
    pointsNodes = {
      bonusPointsInfo: [info],
      totalBonusPointsInfo: info,
      bonusPointsChanges: [{ balanceType: wireBalanceType, earnedAmount: points(result.pointsEarned), spentAmount: points(result.pointsSpent) }],
    };
  }
  const couponsInfo: WireCouponInfo[] = result.coupons.map((coupon) => ({
    coupon: {
      ids: { code: coupon.code },
      status: coupon.status,
      ...(coupon.pool === undefined ? {} : { pool: { ids: { externalId: coupon.pool } } }),
    },
    discountAmountForCurrentOrder: toDecimal(coupon.discountAmount),
  }));

  return {
    totalPrice: toDecimal(result.totalPrice),
    lines,
    ...pointsNodes,
    ...(input.coupons.length > 0 ? { couponsInfo } : {}),
    placeholders: [{ ids: { externalId: 'cashier' }, content: [{ type: 'text', message: cashierMessage({ input, result }) }] }],
  };
}

/** The ids an answer names a saved order by: Regulars' own and the order's identifier fields. */
export function wireOrderIds(orderId: number, ids: Record<string, string>): Record<string, unknown> {
  return { mindboxId: orderId, ...withAnswerKeys(ids) };
}

/** The `customer` node of an order answer: the guest the order is for, with their subscriptions, as every customer answer. */
export async function foundGuestNode(db: Db, customer: CustomerRow, project: ProjectSnapshot): Promise<Record<string, unknown>> {
  return { processingStatus: 'Found', ...wireCustomer(await loadGuestView(db, customer, project)) };
}

/** `statusDescription` of PriceHasBeenChanged: the POS's total and ours, for the cashier. */
export function priceChangedDescription(sent: number, calculated: number): string {
  const roubles = (kopecks: number) => toDecimal(kopecks).toFixed(2).replace('.', ',');
  return `Сумма заказа изменилась: касса передала ${roubles(sent)} ₽, а по текущим условиям получается ${roubles(calculated)} ₽. Пересчитайте заказ и отправьте его снова.`;
}
