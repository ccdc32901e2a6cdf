// The answers a POS reads, as the server writes them in JSON: the envelope and the nodes of the operations the
// iiko plugin calls (docs/operations.md). Every node may be missing; a careful reader also takes an amount as a
// numeric string and a list as its only item (the XML form), which is why those types allow both.

import type { ProfileFields } from './requests.ts';

export interface ValidationMessage {
  message: string;
  /** xpath-like location of the offending field, e.g. `/customer/mobilePhone`; absent for request-level messages */
  location?: string;
}

/** A decimal amount: roubles, or points. */
export type WireDecimal = number | string;

export type OneOrMany<T> = T | T[];

/** The envelope. `status` is `Success`, `ValidationError`, `ProtocolError`, `InternalServerError` or `TransactionAlreadyProcessed`. */
export interface Answer {
  status: string;
  validationMessages?: OneOrMany<ValidationMessage>;
  errorMessage?: string;
  errorId?: string;
  customer?: CustomerAnswer;
  balances?: OneOrMany<BalanceAnswer>;
  order?: OrderAnswer;
  smsConfirmation?: { processingStatus?: string };
  mobilePhoneConfirmation?: { processingStatus?: string };
  productCatalog?: { processingStatus?: string };
}

/** `processingStatus`: Found, NotFound, Ambiguous, Created, Changed, NotChanged. */
export interface CustomerAnswer extends ProfileFields {
  processingStatus?: string;
  ids?: { mindboxId?: number | string };
  pendingMobilePhone?: string;
  isMobilePhoneConfirmed?: boolean | 'true' | 'false';
  discountCard?: { ids?: { number?: string } };
  customFields?: Record<string, unknown>;
  balances?: OneOrMany<BalanceAnswer>;
}

/** Which balance type an entry is about: `systemName`, or `balanceType.ids.systemName`. */
export interface BalanceTypeNamed {
  systemName?: string;
  balanceType?: { ids?: { systemName?: string }; systemName?: string; name?: string };
}

/** Points. A reader also takes `availableValue`, `blockedValue`, `totalValue` for the same amounts. */
export interface BalanceAnswer extends BalanceTypeNamed {
  available?: WireDecimal;
  blocked?: WireDecimal;
  total?: WireDecimal;
  availableValue?: WireDecimal;
  blockedValue?: WireDecimal;
  totalValue?: WireDecimal;
  nearestExpiration?: { total?: WireDecimal; date?: string };
}

export interface AppliedPromotionAnswer {
  /** `discount` and `spentBonusPoints` in roubles, `earnedBonusPoints` in points */
  type?: string;
  amount?: WireDecimal;
}

export interface OrderLineAnswer {
  lineNumber?: number | string;
  lineId?: string;
  quantity?: WireDecimal;
  basePricePerItem?: WireDecimal;
  discountedPriceOfLine?: WireDecimal;
  product?: { ids?: Record<string, string> };
  appliedPromotions?: OneOrMany<AppliedPromotionAnswer>;
}

export interface BonusPointsInfoAnswer extends BalanceTypeNamed {
  /** `Unavailable` when the server does not process points for this guest */
  status?: string;
  availableAmountForCurrentOrder?: WireDecimal;
  spentAmountForCurrentOrder?: WireDecimal;
  balance?: BalanceAnswer;
}

export interface BonusPointsChangeAnswer extends BalanceTypeNamed {
  earnedAmount?: WireDecimal;
  spentAmount?: WireDecimal;
}

/** The `order` node of a preorder or a create: the calculation. `processingStatus`: Calculated, Created, PriceHasBeenChanged, … */
export interface OrderAnswer {
  processingStatus?: string;
  /** the server's `mindboxId` and the order's own identifiers */
  ids?: Record<string, number | string>;
  statusDescription?: string;
  totalPrice?: WireDecimal;
  lines?: OneOrMany<OrderLineAnswer>;
  bonusPointsInfo?: OneOrMany<BonusPointsInfoAnswer>;
  totalBonusPointsInfo?: BonusPointsInfoAnswer;
  bonusPointsChanges?: OneOrMany<BonusPointsChangeAnswer>;
  /** texts for the cashier */
  placeholders?: OneOrMany<{ content?: OneOrMany<{ message?: string }> }>;
}
