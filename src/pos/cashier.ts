// What the cashier does at an iiko terminal, each step calling the operation the iiko Mindbox plugin calls at
// that moment (mindbox-v3-protocol.md §9). When the server does not answer (timeout, refused connection, 5xx),
// the sale goes on without loyalty: the order is queued durably for `Offline.SaveOfflineOrder` before the sale
// is reported done, and the offline sender delivers it later.
//
// Units: money in kopecks, points in hundredths of a point, quantities in whole pieces.

import { randomUUID } from 'node:crypto';
import type { Answer } from '../wire/answers.ts';
import { toDecimal } from '../wire/money.ts';
import { OPERATIONS } from '../wire/operations.ts';
import type {
  ChangeStatusRequest,
  CheckAuthorizationCodeRequest,
  ConfirmMobilePhoneRequest,
  CustomerKey,
  CustomerProfile,
  CustomerRequest,
  EditCustomerRequest,
  OfflineOrderRequest,
  OrderLineRequest,
  OrderRequest,
  ProductCatalogRequest,
  RegisterCustomerRequest,
  ReturnLineRequest,
  ReturnRequest,
} from '../wire/requests.ts';
import {
  calculationFromAnswer,
  guestFromAnswer,
  refusalMessages,
  type Balance,
  type Calculation,
  type Guest,
} from './answers.ts';
import type { CallOutcome, MindboxClient } from './client.ts';
import type { PosConfig } from './config.ts';
import type { OfflineQueue, QueuedItem } from './offline-queue.ts';

export type { Balance, Calculation, Guest } from './answers.ts';

export const LINE_STATUS = { checkedOut: 'iikoCheckedOut', paid: 'iikoPaid', returned: 'iikoReturn' } as const;

/** The order custom field (ExternalIdentifier) that carries iiko's order guid. */
const ORDER_ID_FIELD = 'iikoOrderId';

export interface Offline {
  kind: 'offline';
  reason: string;
}

/** The server answered, but not with what the step needs: a ValidationError, a ProtocolError, an odd status. */
export interface Refused {
  kind: 'refused';
  status: string;
  httpStatus: number;
  messages: string[];
}

export type FindGuestOutcome = { kind: 'found'; guest: Guest } | { kind: 'notFound' } | { kind: 'ambiguous' } | Offline | Refused;

export interface NewGuest {
  mobilePhone: string;
  firstName?: string;
  lastName?: string;
  middleName?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  email?: string;
  sex?: 'male' | 'female';
  discountCard?: string;
}

export type GuestChanges = Partial<NewGuest>;

export type RegisterOutcome = { kind: 'registered'; mindboxId: string | null } | Offline | Refused;
export type ConfirmPhoneOutcome = { kind: 'confirmed' } | { kind: 'alreadyConfirmed' } | { kind: 'wrongCode' } | { kind: 'notFound' } | Offline | Refused;
export type ResendCodeOutcome = { kind: 'sent' } | { kind: 'alreadyConfirmed' } | { kind: 'notFound' } | Offline | Refused;
export type EditGuestOutcome = { kind: 'changed' } | { kind: 'notChanged' } | { kind: 'notFound' } | Offline | Refused;
export type CalculateOutcome = { kind: 'calculated'; calculation: Calculation } | Offline | Refused;
export type SpendCodeOutcome = { kind: 'sent' } | { kind: 'notFound' } | Offline | Refused;
export type CheckSpendCodeOutcome = { kind: 'confirmed' } | { kind: 'wrongCode'; messages: string[] } | Offline | Refused;
export type CatalogOutcome = { kind: 'uploaded'; answer: Answer } | Offline | Refused;

export interface MenuItem {
  /** the product id under `product.ids[product_id]`: iiko guid or article, as `send_product_id` says */
  productId: string;
  name: string;
  /** kopecks; the menu upload sends roubles as `price` */
  priceMinor: number;
  category: string | null;
}

export interface SaleLine {
  productId: string;
  name: string;
  /** kopecks per piece */
  priceMinor: number;
  quantity: number;
}

/** One bill being rung up. Changing it drops the last calculation; the cashier calculates again. */
export class Sale {
  /** iiko's order guid, sent as `order.ids.iikoOrderId` */
  readonly orderId = randomUUID();
  private currentGuest: Guest | null;
  private readonly saleLines: SaleLine[] = [];
  private points = 0;
  calculation: Calculation | null = null;
  /** the points amount the guest confirmed with the SMS code; spending more needs a new code */
  confirmedPoints = 0;

  constructor(guest: Guest | null = null) {
    this.currentGuest = guest;
  }

  get guest(): Guest | null {
    return this.currentGuest;
  }

  get lines(): readonly SaleLine[] {
    return this.saleLines;
  }

  /** hundredths of a point the guest asked to spend */
  get pointsToSpend(): number {
    return this.points;
  }

  /** kopecks: the lines at their prices */
  get subtotal(): number {
    return this.saleLines.reduce((sum, line) => sum + line.priceMinor * line.quantity, 0);
  }

  setGuest(guest: Guest | null): void {
    this.currentGuest = guest;
    this.points = 0;
    this.confirmedPoints = 0;
    this.calculation = null;
  }

  add(item: MenuItem, quantity = 1): void {
    if (!Number.isSafeInteger(quantity) || quantity < 1) throw new RangeError('quantity must be a whole number of pieces, at least 1');
    const same = this.saleLines.find((line) => line.productId === item.productId && line.priceMinor === item.priceMinor);
    if (same) same.quantity += quantity;
    else this.saleLines.push({ productId: item.productId, name: item.name, priceMinor: item.priceMinor, quantity });
    this.calculation = null;
  }

  /** Removes quantity pieces of the line (1-based, as printed); the whole line by default. */
  remove(lineNumber: number, quantity?: number): void {
    const line = this.saleLines[lineNumber - 1];
    if (!line) throw new RangeError(`there is no line ${lineNumber}`);
    if (quantity === undefined || quantity >= line.quantity) this.saleLines.splice(lineNumber - 1, 1);
    else line.quantity -= quantity;
    this.calculation = null;
  }

  /** Points to spend, in hundredths; the server caps them at what the bill allows. */
  spendPoints(hundredths: number): void {
    if (!Number.isSafeInteger(hundredths) || hundredths < 0) throw new RangeError('points to spend must be a whole number of hundredths, 0 or more');
    if (hundredths > 0 && !this.currentGuest) throw new Error('find the guest before spending points');
    this.points = hundredths;
    this.calculation = null;
  }
}

/** What this POS remembers about a sale, for the receipt and for returns. */
export interface SaleRecord {
  orderId: string;
  /** ISO time of the sale */
  at: string;
  /** online: the server took the order; offline: sold without loyalty, queued for SaveOfflineOrder */
  mode: 'online' | 'offline';
  guest: { mobilePhone: string | null; discountCard: string | null; rank: string | null } | null;
  /** `price` per piece and `paid` for the line, in kopecks */
  lines: Array<{ lineNumber: number; productId: string; name: string; quantity: number; price: number; paid: number }>;
  /** kopecks: lines at their prices */
  subtotal: number;
  /** kopecks paid in money */
  totalPrice: number;
  /** kopecks taken off by discounts */
  discount: number;
  pointsSpent: number;
  pointsEarned: number;
  /** the guest's balance after the sale; null when it could not be read */
  balanceAfter: Balance | null;
  /** true when the payment status waits in the offline queue (points are credited once it is delivered) */
  paymentQueued: boolean;
  message: string | null;
}

export type PayOutcome =
  | { kind: 'paid'; record: SaleRecord }
  | { kind: 'soldOffline'; record: SaleRecord; reason: string; queued: QueuedItem }
  | { kind: 'codeRequired'; points: number }
  | { kind: 'priceChanged'; calculation: Calculation | null; messages: string[] }
  | { kind: 'empty' }
  | Refused;

export interface ReturnLine {
  lineNumber: number;
  quantity: number;
}

export type ReturnOutcome = { kind: 'returned' } | { kind: 'queued'; reason: string; queued: QueuedItem } | Refused;

export interface CashierOptions {
  now?: () => Date;
  /** called after every answer from the server, e.g. to deliver the offline queue once the server is back */
  onServerAnswered?: () => void;
}

type Outcome = CallOutcome;

function offline(outcome: Extract<Outcome, { kind: 'unreachable' }>): Offline {
  return { kind: 'offline', reason: outcome.reason };
}

function refused(outcome: Extract<Outcome, { kind: 'answer' }>): Refused {
  const status = typeof outcome.body?.status === 'string' ? outcome.body.status : 'unknown';
  return { kind: 'refused', status, httpStatus: outcome.httpStatus, messages: refusalMessages(outcome.body) };
}

const isSuccess = (outcome: Extract<Outcome, { kind: 'answer' }>): boolean => outcome.body?.status === 'Success';

export class Cashier {
  private readonly now: () => Date;

  constructor(
    private readonly config: PosConfig,
    private readonly client: Pick<MindboxClient, 'call'>,
    private readonly queue: OfflineQueue,
    private readonly options: CashierOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  get sendSmsConfirm(): boolean {
    return this.config.sendSmsConfirm;
  }

  /** `Offline.CheckCustomer` by phone or discount card: profile, rank, phone confirmation and balance. */
  async findGuest(query: { phone: string } | { card: string }): Promise<FindGuestOutcome> {
    const byPhone = 'phone' in query;
    const customer: CustomerKey = byPhone ? { mobilePhone: query.phone } : { discountCard: { ids: { number: query.card } } };
    const outcome = await this.call(OPERATIONS.checkCustomer, { customer } satisfies CustomerRequest);
    if (outcome.kind === 'unreachable') return offline(outcome);
    if (!isSuccess(outcome)) return refused(outcome);
    const status = outcome.body.customer?.processingStatus;
    if (status === 'NotFound') return { kind: 'notFound' };
    if (status === 'Ambiguous') return { kind: 'ambiguous' };
    if (status !== 'Found') return refused(outcome);
    return { kind: 'found', guest: guestFromAnswer(outcome.body, byPhone ? 'phone' : 'card', this.config.balanceName) };
  }

  /** Reads the guest again (balance after a sale, confirmation after the code). */
  async refreshGuest(guest: Guest): Promise<FindGuestOutcome> {
    if (guest.identifiedBy === 'card' && guest.discountCard) return this.findGuest({ card: guest.discountCard });
    if (guest.mobilePhone) return this.findGuest({ phone: guest.mobilePhone });
    if (guest.discountCard) return this.findGuest({ card: guest.discountCard });
    return { kind: 'notFound' };
  }

  /** `Offline.RegisterCustomer`; a server that confirms phones then sends the confirmation SMS. */
  async register(profile: NewGuest): Promise<RegisterOutcome> {
    const outcome = await this.call(OPERATIONS.register, { customer: customerProfile(profile) } satisfies RegisterCustomerRequest);
    if (outcome.kind === 'unreachable') return offline(outcome);
    if (!isSuccess(outcome)) return refused(outcome);
    const id = outcome.body.customer?.ids?.mindboxId;
    return { kind: 'registered', mindboxId: id === undefined || id === null ? null : String(id) };
  }

  /** `Offline.ConfirmMobilePhone` with the code from the confirmation SMS. */
  async confirmPhone(phone: string, code: string): Promise<ConfirmPhoneOutcome> {
    const outcome = await this.call(OPERATIONS.confirmPhone, { customer: { mobilePhone: phone }, smsConfirmation: { code: code.trim() } } satisfies ConfirmMobilePhoneRequest);
    if (outcome.kind === 'unreachable') return offline(outcome);
    if (outcome.body?.status === 'ValidationError' && isCodeLocation(outcome.body)) {
      return { kind: 'wrongCode' };
    }
    if (!isSuccess(outcome)) return refused(outcome);
    switch (outcome.body.smsConfirmation?.processingStatus ?? outcome.body.customer?.processingStatus) {
      case 'MobilePhoneConfirmed':
      case 'SubscriptionAndMobilePhoneConfirmed':
        return { kind: 'confirmed' };
      case 'AlreadyConfirmed':
      case 'MobilePhoneAlreadyConfirmed':
        return { kind: 'alreadyConfirmed' };
      case 'IncorrectConfirmationCode':
        return { kind: 'wrongCode' };
      case 'NotFound':
        return { kind: 'notFound' };
      default:
        return refused(outcome);
    }
  }

  /** `Offline.ResendMobilePhoneConfirmationCode`. */
  async resendConfirmationCode(phone: string): Promise<ResendCodeOutcome> {
    const outcome = await this.call(OPERATIONS.resendConfirmation, { customer: { mobilePhone: phone } } satisfies CustomerRequest);
    if (outcome.kind === 'unreachable') return offline(outcome);
    if (!isSuccess(outcome)) return refused(outcome);
    const statuses = [
      outcome.body.smsConfirmation?.processingStatus,
      outcome.body.mobilePhoneConfirmation?.processingStatus,
      outcome.body.customer?.processingStatus,
    ];
    if (statuses.includes('NotFound')) return { kind: 'notFound' };
    if (statuses.some((status) => status === 'AlreadyConfirmed' || status === 'MobilePhoneAlreadyConfirmed')) return { kind: 'alreadyConfirmed' };
    return { kind: 'sent' };
  }

  /** `Offline.EditCustomer`: the guest is named by their id, so the phone itself can change. */
  async editGuest(guest: Guest, changes: GuestChanges): Promise<EditGuestOutcome> {
    const customer = { ...(guest.mindboxId ? { ids: { mindboxId: guest.mindboxId } } : customerKey(guest)), ...customerProfile(changes) };
    const outcome = await this.call(OPERATIONS.edit, { customer } satisfies EditCustomerRequest);
    if (outcome.kind === 'unreachable') return offline(outcome);
    if (!isSuccess(outcome)) return refused(outcome);
    const status = outcome.body.customer?.processingStatus;
    if (status === 'NotFound') return { kind: 'notFound' };
    return status === 'NotChanged' ? { kind: 'notChanged' } : { kind: 'changed' };
  }

  /** `Offline.AuthorizedPreorder` (guest) or `Offline.AnonymousPreorder`: run on every change of the bill. */
  async calculate(sale: Sale): Promise<CalculateOutcome> {
    if (sale.lines.length === 0) {
      sale.calculation = null;
      return { kind: 'refused', status: 'EmptyBill', httpStatus: 0, messages: ['the bill has no lines'] };
    }
    const operation = sale.guest ? OPERATIONS.authorizedPreorder : OPERATIONS.anonymousPreorder;
    const outcome = await this.call(operation, this.orderBody(sale, { status: null }));
    if (outcome.kind === 'unreachable') {
      sale.calculation = null;
      return offline(outcome);
    }
    if (!isSuccess(outcome)) return refused(outcome);
    sale.calculation = calculationFromAnswer(outcome.body, this.config.balanceName, this.config.productId);
    return { kind: 'calculated', calculation: sale.calculation };
  }

  /** Whether paying this sale needs the SMS authorization code first (`send_sms_confirm` and points spent). */
  needsSpendCode(sale: Sale): boolean {
    if (!this.config.sendSmsConfirm || !sale.guest) return false;
    const spending = sale.calculation?.points?.spent ?? sale.pointsToSpend;
    return spending > 0 && sale.confirmedPoints < Math.max(spending, sale.pointsToSpend);
  }

  /** `Offline.SendMobilePhoneAuthorizationCode`: the guest gets an SMS with the code. */
  async requestSpendCode(sale: Sale): Promise<SpendCodeOutcome> {
    if (!sale.guest) throw new Error('the sale has no guest');
    const outcome = await this.call(OPERATIONS.sendAuthorizationCode, { customer: customerKey(sale.guest) } satisfies CustomerRequest);
    if (outcome.kind === 'unreachable') return offline(outcome);
    if (!isSuccess(outcome)) return refused(outcome);
    if (outcome.body.customer?.processingStatus === 'NotFound') return { kind: 'notFound' };
    return { kind: 'sent' };
  }

  /** `Offline.CheckMobilePhoneAuthorizationCode` (root `authentificationCode`): a right code allows the points. */
  async checkSpendCode(sale: Sale, code: string): Promise<CheckSpendCodeOutcome> {
    if (!sale.guest) throw new Error('the sale has no guest');
    const outcome = await this.call(OPERATIONS.checkAuthorizationCode, { customer: customerKey(sale.guest), authentificationCode: code.trim() } satisfies CheckAuthorizationCodeRequest);
    if (outcome.kind === 'unreachable') return offline(outcome);
    if (outcome.body?.status === 'ValidationError') return { kind: 'wrongCode', messages: refusalMessages(outcome.body) };
    if (!isSuccess(outcome)) return refused(outcome);
    sale.confirmedPoints = Math.max(sale.pointsToSpend, sale.calculation?.points?.spent ?? 0);
    return { kind: 'confirmed' };
  }

  /**
   * Closes the sale: `Offline.Create…Order` with a fresh transactionId and the calculated total (calculating
   * first if needed, and once more on PriceHasBeenChanged), then `Offline.ChangeStatus` to iikoPaid. If the
   * server cannot be reached the sale is completed without loyalty and queued for SaveOfflineOrder.
   */
  async pay(sale: Sale): Promise<PayOutcome> {
    if (sale.lines.length === 0) return { kind: 'empty' };
    const at = this.now();
    if (!sale.calculation) {
      const calculated = await this.calculate(sale);
      if (calculated.kind === 'offline') return this.sellOffline(sale, at, calculated.reason);
      if (calculated.kind === 'refused') return calculated;
    }
    if (this.needsSpendCode(sale)) return { kind: 'codeRequired', points: sale.calculation?.points?.spent ?? sale.pointsToSpend };

    let created = await this.createOrder(sale);
    if (created.kind === 'priceChanged') {
      const recalculated = await this.calculate(sale);
      if (recalculated.kind === 'offline') return this.sellOffline(sale, at, recalculated.reason);
      if (recalculated.kind === 'refused') return recalculated;
      if (this.needsSpendCode(sale)) return { kind: 'codeRequired', points: sale.calculation?.points?.spent ?? sale.pointsToSpend };
      created = await this.createOrder(sale);
      if (created.kind === 'priceChanged') return { kind: 'priceChanged', calculation: sale.calculation, messages: created.messages };
    }
    if (created.kind === 'offline') return this.sellOffline(sale, at, created.reason);
    if (created.kind === 'refused') return created;

    const calculation = created.calculation;
    const paid = await this.markPaid(sale.orderId, at);
    const record = this.recordOf(sale, at, 'online', calculation);
    record.paymentQueued = paid.kind === 'queued';
    if (sale.guest && paid.kind !== 'queued') {
      const after = await this.refreshGuest(sale.guest);
      if (after.kind === 'found') record.balanceAfter = after.guest.balance;
    }
    if (paid.kind === 'refused') record.message = [record.message, `payment status refused: ${paid.messages.join('; ')}`].filter(Boolean).join('\n');
    return { kind: 'paid', record };
  }

  /** `Offline.ChangeStatus` to iikoPaid for all lines; queued (with the payment time) when the server is away. */
  async markPaid(orderId: string, at: Date = this.now()): Promise<{ kind: 'paid' } | { kind: 'queued'; queued: QueuedItem } | Refused> {
    const body: ChangeStatusRequest = { order: { ids: { [ORDER_ID_FIELD]: orderId } }, orderLinesStatus: LINE_STATUS.paid };
    const transactionId = randomUUID();
    const outcome = await this.call(OPERATIONS.changeStatus, body, transactionId);
    if (outcome.kind === 'unreachable') {
      const queued = await this.queue.append({
        operation: OPERATIONS.changeStatus,
        transactionId,
        body: { ...body, executionDateTimeUtc: at.toISOString() } satisfies ChangeStatusRequest,
      });
      return { kind: 'queued', queued };
    }
    if (!isSuccess(outcome) && outcome.body?.status !== 'TransactionAlreadyProcessed') return refused(outcome);
    return { kind: 'paid' };
  }

  /**
   * `Offline.Return` of lines (by the lineNumber the server knows) with a quantity each, all in one request.
   * While older orders still wait in the offline queue, or when the server is away, the return is queued
   * behind them.
   */
  async returnLines(orderId: string, lines: ReturnLine[]): Promise<ReturnOutcome> {
    if (lines.length === 0) throw new RangeError('nothing to return');
    return this.sendReturn(orderId, {
      lines: lines.map((line) => ({ lineNumber: line.lineNumber, quantity: line.quantity, status: LINE_STATUS.returned })),
    });
  }

  /**
   * `Offline.Return` of the whole order in one request, as the iiko plugin returns a closed order:
   * `orderLinesStatus: iikoReturn` for every line that still holds a quantity. Queued as returnLines is.
   */
  async returnOrder(orderId: string): Promise<ReturnOutcome> {
    return this.sendReturn(orderId, { orderLinesStatus: LINE_STATUS.returned });
  }

  private async sendReturn(orderId: string, what: { lines: ReturnLineRequest[] } | { orderLinesStatus: string }): Promise<ReturnOutcome> {
    const at = this.now();
    const body: ReturnRequest =
      'lines' in what ? { order: { ids: { [ORDER_ID_FIELD]: orderId }, lines: what.lines } } : { order: { ids: { [ORDER_ID_FIELD]: orderId } }, ...what };
    const transactionId = randomUUID();
    const queueIt = async (reason: string): Promise<ReturnOutcome> => {
      const queued = await this.queue.append({
        operation: OPERATIONS.return,
        transactionId,
        body: { ...body, executionDateTimeUtc: at.toISOString() } satisfies ReturnRequest,
      });
      return { kind: 'queued', reason, queued };
    };
    if (this.queue.pending().length > 0) return queueIt('earlier orders still wait in the offline queue');
    const outcome = await this.call(OPERATIONS.return, body, transactionId);
    if (outcome.kind === 'unreachable') return queueIt(outcome.reason);
    if (!isSuccess(outcome)) return refused(outcome);
    return { kind: 'returned' };
  }

  /** `Offline.SendProductCatalog` with a JSON `productCatalog` body (see menu.ts). */
  async uploadCatalog(body: ProductCatalogRequest): Promise<CatalogOutcome> {
    const outcome = await this.call(OPERATIONS.sendProductCatalog, body);
    if (outcome.kind === 'unreachable') return offline(outcome);
    if (!isSuccess(outcome)) return refused(outcome);
    return { kind: 'uploaded', answer: outcome.body };
  }

  private async createOrder(
    sale: Sale,
  ): Promise<{ kind: 'created'; calculation: Calculation } | { kind: 'priceChanged'; messages: string[] } | Offline | Refused> {
    const calculation = sale.calculation!;
    const operation = sale.guest ? OPERATIONS.createAuthorizedOrder : OPERATIONS.createAnonymousOrder;
    const body = this.orderBody(sale, { status: LINE_STATUS.checkedOut, totalPrice: calculation.totalPrice });
    const outcome = await this.call(operation, body, randomUUID());
    if (outcome.kind === 'unreachable') return offline(outcome);
    if (!isSuccess(outcome)) return refused(outcome);
    if (outcome.body.order?.processingStatus === 'PriceHasBeenChanged') {
      return { kind: 'priceChanged', messages: refusalMessages(outcome.body) };
    }
    const answered = calculationFromAnswer(outcome.body, this.config.balanceName, this.config.productId);
    // A create answer without an order node still stands for the calculation it was sent with.
    return { kind: 'created', calculation: outcome.body.order ? answered : calculation };
  }

  /** The sale completed without loyalty: full price, no points; on disk before this returns. */
  private async sellOffline(sale: Sale, at: Date, reason: string): Promise<PayOutcome> {
    const lines = sale.lines.map((line, index): OrderLineRequest => ({
      lineNumber: index + 1,
      quantity: line.quantity,
      basePricePerItem: toDecimal(line.priceMinor),
      product: { ids: { [this.config.productId]: line.productId } },
      status: { ids: { externalId: LINE_STATUS.paid } },
    }));
    const body: OfflineOrderRequest = {
      ...(sale.guest ? { customer: customerKey(sale.guest) } : {}),
      executionDateTimeUtc: at.toISOString(),
      order: { ids: { [ORDER_ID_FIELD]: sale.orderId }, totalPrice: toDecimal(sale.subtotal), lines },
    };
    const queued = await this.queue.append({ operation: OPERATIONS.saveOfflineOrder, transactionId: randomUUID(), body });
    sale.calculation = null;
    return { kind: 'soldOffline', record: this.recordOf(sale, at, 'offline', null), reason, queued };
  }

  private recordOf(sale: Sale, at: Date, mode: SaleRecord['mode'], calculation: Calculation | null): SaleRecord {
    const guest = sale.guest;
    const lines = sale.lines.map((line, index) => {
      const calculated = calculation?.lines.find((candidate) => candidate.lineNumber === index + 1);
      return {
        lineNumber: index + 1,
        productId: line.productId,
        name: line.name,
        quantity: line.quantity,
        price: line.priceMinor,
        paid: calculated ? calculated.discountedPriceOfLine : line.priceMinor * line.quantity,
      };
    });
    return {
      orderId: sale.orderId,
      at: at.toISOString(),
      mode,
      guest: guest ? { mobilePhone: guest.mobilePhone, discountCard: guest.discountCard, rank: guest.rank } : null,
      lines,
      subtotal: sale.subtotal,
      totalPrice: calculation ? calculation.totalPrice : sale.subtotal,
      discount: calculation?.discount ?? 0,
      pointsSpent: calculation?.points?.spent ?? 0,
      pointsEarned: calculation?.points?.earned ?? 0,
      balanceAfter: null,
      paymentQueued: false,
      message: calculation?.message ?? null,
    };
  }

  private orderBody(sale: Sale, options: { status: string | null; totalPrice?: number }): OrderRequest {
    // After a calculation the server's lines are used as they are: it may have split a line, and the create
    // must send the split lines it calculated.
    const calculated = sale.calculation?.lines ?? [];
    const fromCalculation = calculated.length > 0 && calculated.every((line) => line.productId !== null);
    const lines = fromCalculation
      ? calculated.map((line): OrderLineRequest => ({
          lineNumber: line.lineNumber,
          ...(line.lineId === null ? {} : { lineId: line.lineId }),
          quantity: line.quantity,
          basePricePerItem: toDecimal(line.basePricePerItem),
          product: { ids: { [this.config.productId]: line.productId! } },
        }))
      : sale.lines.map((line, index): OrderLineRequest => ({
          lineNumber: index + 1,
          quantity: line.quantity,
          basePricePerItem: toDecimal(line.priceMinor),
          product: { ids: { [this.config.productId]: line.productId } },
        }));
    const status = options.status;
    const order: OrderRequest['order'] = {
      ids: { [ORDER_ID_FIELD]: sale.orderId },
      lines: status === null ? lines : lines.map((line) => ({ ...line, status: { ids: { externalId: status } } })),
    };
    if (sale.guest && sale.pointsToSpend > 0) order.bonusPoints = [{ amount: toDecimal(sale.pointsToSpend) }];
    if (options.totalPrice !== undefined) order.totalPrice = toDecimal(options.totalPrice);
    return { ...(sale.guest ? { customer: customerKey(sale.guest) } : {}), order };
  }

  private async call(operation: string, body: object, transactionId?: string): Promise<Outcome> {
    const outcome = await this.client.call(operation, body, transactionId === undefined ? {} : { transactionId });
    if (outcome.kind === 'answer') {
      try {
        this.options.onServerAnswered?.();
      } catch {
        // An observer must not break the sale.
      }
    }
    return outcome;
  }
}

/** The guest named the way the cashier identified them: phone, or discount card. */
export function customerKey(guest: Guest): CustomerKey {
  if (guest.identifiedBy === 'card' && guest.discountCard) return { discountCard: { ids: { number: guest.discountCard } } };
  if (guest.mobilePhone) return { mobilePhone: guest.mobilePhone };
  if (guest.discountCard) return { discountCard: { ids: { number: guest.discountCard } } };
  return { ids: { mindboxId: guest.mindboxId } };
}

function customerProfile(profile: GuestChanges): CustomerProfile {
  const customer: CustomerProfile = {};
  for (const key of ['mobilePhone', 'firstName', 'lastName', 'middleName', 'birthDate', 'email', 'sex'] as const) {
    if (profile[key] !== undefined) customer[key] = profile[key];
  }
  if (profile.discountCard !== undefined) customer.discountCard = { ids: { number: profile.discountCard } };
  return customer;
}

function isCodeLocation(body: Answer): boolean {
  const messages: unknown = body.validationMessages;
  return Array.isArray(messages) && messages.some((message) => typeof message?.location === 'string' && message.location.startsWith('/smsConfirmation'));
}
