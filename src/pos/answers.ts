// Reading the server's answers into what the cashier sees. The server may send numbers or numeric strings and
// leave out nodes it has nothing for; anything missing reads as null rather than failing the sale.
// Money is kopecks; points are hundredths of a point whatever the balance type (whole-point types then end in 00).

import type {
  Answer,
  BalanceAnswer,
  BalanceTypeNamed,
  CustomerAnswer,
  OneOrMany,
  OrderAnswer,
  OrderLineAnswer,
} from '../wire/answers.ts';
import { isObject } from '../wire/decoded.ts';
import { fieldValue } from '../wire/field-keys.ts';
import { parseMinor } from '../wire/money.ts';

export interface Balance {
  available: number;
  blocked: number;
  total: number;
}

export interface Guest {
  /** how the cashier identified the guest: later calls name the guest the same way */
  identifiedBy: 'phone' | 'card';
  mindboxId: string | null;
  mobilePhone: string | null;
  pendingMobilePhone: string | null;
  isPhoneConfirmed: boolean;
  firstName: string | null;
  lastName: string | null;
  middleName: string | null;
  birthDate: string | null;
  email: string | null;
  sex: string | null;
  discountCard: string | null;
  /** the `Rank` custom field (Bronze, Silver, Gold), answered as `rank` by Mindbox and Regulars, `Rank` by older servers */
  rank: string | null;
  /** the configured balance type (`balance_name`); null when the server did not send it */
  balance: Balance | null;
}

export interface CalculatedLine {
  lineNumber: number;
  lineId: string | null;
  productId: string | null;
  /** whole or fractional pieces as the wire sends them */
  quantity: number;
  /** kopecks */
  basePricePerItem: number;
  /** kopecks: the line after discounts and points */
  discountedPriceOfLine: number;
  /** kopecks taken off the line by discounts (not points) */
  discount: number;
  /** kopecks paid by points on this line */
  paidByPoints: number;
}

export interface PointsInfo {
  /** the most this bill may take in points */
  availableForOrder: number;
  spent: number;
  earned: number;
  balance: Balance | null;
}

export interface Calculation {
  /** `Calculated`, or why personal discounts were not calculated */
  status: string;
  /** kopecks the guest pays in money */
  totalPrice: number;
  /** kopecks: the lines at their base prices */
  subtotal: number;
  /** kopecks taken off by discounts */
  discount: number;
  /** kopecks paid by points */
  paidByPoints: number;
  lines: CalculatedLine[];
  /** null on an anonymous bill or when the server does not process points for this guest */
  points: PointsInfo | null;
  /** the server's text for the cashier (placeholders) */
  message: string | null;
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

const kopecks = (value: unknown): number | null => parseMinor(value, 2);
/** points in hundredths; the server never sends more than two decimals */
const points = (value: unknown): number | null => parseMinor(value, 2);

/** The objects of a list, or of its only item; anything else in it is skipped. */
function list<T extends object>(value: OneOrMany<T> | undefined): T[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

function balanceFrom(node: BalanceAnswer | undefined): Balance | null {
  if (!isObject(node)) return null;
  const available = points(node.available ?? node.availableValue);
  const blocked = points(node.blocked ?? node.blockedValue) ?? 0;
  const total = points(node.total ?? node.totalValue);
  if (available === null && total === null) return null;
  return { available: available ?? (total ?? 0) - blocked, blocked, total: total ?? (available ?? 0) + blocked };
}

function systemNameOf(node: BalanceTypeNamed): string | null {
  return text(node.systemName) ?? text(node.balanceType?.ids?.systemName) ?? text(node.balanceType?.systemName);
}

/** The entry of a `balances`-like list for the balance type; the only entry when the list names none. */
function pickBalanceType<T extends BalanceTypeNamed>(items: T[], balanceName: string): T | null {
  const named = items.find((item) => systemNameOf(item) === balanceName);
  if (named) return named;
  return items.length === 1 && systemNameOf(items[0]) === null ? items[0] : null;
}

export function guestFromAnswer(body: Answer, identifiedBy: Guest['identifiedBy'], balanceName: string): Guest {
  const customer: CustomerAnswer = isObject(body.customer) ? body.customer : {};
  const balances = list(body.balances ?? customer.balances);
  const picked = pickBalanceType(balances, balanceName);
  const customFields: Record<string, unknown> = isObject(customer.customFields) ? customer.customFields : {};
  return {
    identifiedBy,
    mindboxId: text(customer.ids?.mindboxId),
    mobilePhone: text(customer.mobilePhone),
    pendingMobilePhone: text(customer.pendingMobilePhone),
    isPhoneConfirmed: customer.isMobilePhoneConfirmed === true || customer.isMobilePhoneConfirmed === 'true',
    firstName: text(customer.firstName),
    lastName: text(customer.lastName),
    middleName: text(customer.middleName),
    birthDate: text(customer.birthDate),
    email: text(customer.email),
    sex: text(customer.sex),
    discountCard: text(customer.discountCard?.ids?.number),
    rank: text(fieldValue(customFields, 'Rank')),
    balance: picked ? balanceFrom(picked) : null,
  };
}

function sumPromotions(line: OrderLineAnswer, type: string): number {
  return list(line.appliedPromotions)
    .filter((promotion) => promotion.type === type)
    .reduce((sum, promotion) => sum + (kopecks(promotion.amount) ?? 0), 0);
}

function pointsEarnedOnLines(lines: OrderLineAnswer[]): number {
  let earned = 0;
  for (const line of lines) {
    for (const promotion of list(line.appliedPromotions)) {
      if (promotion.type === 'earnedBonusPoints') earned += points(promotion.amount) ?? 0;
    }
  }
  return earned;
}

function cashierMessage(order: OrderAnswer): string | null {
  const messages: string[] = [];
  for (const placeholder of list(order.placeholders)) {
    for (const content of list(placeholder.content)) {
      const message = text(content.message);
      if (message) messages.push(message);
    }
  }
  return messages.length > 0 ? messages.join('\n') : null;
}

/** The `order` node of a preorder or create answer. */
export function calculationFromAnswer(body: Answer, balanceName: string, productSystem: string): Calculation {
  const order: OrderAnswer = isObject(body.order) ? body.order : {};
  const lines = list(order.lines);
  const calculated = lines.map((line): CalculatedLine => {
    const quantity = Number(line.quantity ?? 1);
    const basePricePerItem = kopecks(line.basePricePerItem) ?? 0;
    const full = Math.round(basePricePerItem * quantity);
    const paidByPoints = sumPromotions(line, 'spentBonusPoints');
    return {
      lineNumber: Number(line.lineNumber),
      lineId: text(line.lineId),
      productId: text(line.product?.ids?.[productSystem]),
      quantity,
      basePricePerItem,
      discountedPriceOfLine: kopecks(line.discountedPriceOfLine) ?? full,
      discount: sumPromotions(line, 'discount'),
      paidByPoints,
    };
  });
  const subtotal = calculated.reduce((sum, line) => sum + Math.round(line.basePricePerItem * line.quantity), 0);
  const totalPrice = kopecks(order.totalPrice) ?? calculated.reduce((sum, line) => sum + line.discountedPriceOfLine, 0);

  const infos = list(order.bonusPointsInfo);
  const info = pickBalanceType(infos, balanceName) ?? (isObject(order.totalBonusPointsInfo) ? order.totalBonusPointsInfo : null);
  const changes = pickBalanceType(list(order.bonusPointsChanges), balanceName);
  let pointsInfo: PointsInfo | null = null;
  if (info && info.status !== 'Unavailable') {
    pointsInfo = {
      availableForOrder: points(info.availableAmountForCurrentOrder) ?? 0,
      spent: points(info.spentAmountForCurrentOrder) ?? points(changes?.spentAmount) ?? 0,
      earned: points(changes?.earnedAmount) ?? pointsEarnedOnLines(lines),
      balance: balanceFrom(info.balance),
    };
  }
  return {
    status: text(order.processingStatus) ?? 'Calculated',
    totalPrice,
    subtotal,
    discount: calculated.reduce((sum, line) => sum + line.discount, 0),
    paidByPoints: calculated.reduce((sum, line) => sum + line.paidByPoints, 0),
    lines: calculated,
    points: pointsInfo,
    message: cashierMessage(order),
  };
}

/** Human-readable reasons of a refusal: validation messages with their location, or the error message. */
export function refusalMessages(body: Answer): string[] {
  const messages = list(body.validationMessages)
    .map((message) => (text(message.location) ? `${message.location}: ${text(message.message) ?? ''}` : (text(message.message) ?? '')));
  if (messages.length > 0) return messages;
  const error = text(body.errorMessage) ?? text(body.order?.statusDescription);
  return error ? [error] : [];
}
