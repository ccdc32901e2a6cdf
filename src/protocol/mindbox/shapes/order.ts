// The Mindbox `order` node of a preorder, a create and an offline order, read into the domain's `OrderInput`
// with every amount in minor units. Every bad value is reported at once, each with the location of the field
// (`/order/lines/2/quantity`). Also the node's parts a status change reads: ids, custom fields, statuses and
// the execution time.
import type { RequestedPromotion } from '../../../loyalty/calculate.ts';
import { checkCustomFields, parseDateTime } from '../../../orders/field-values.ts';
import type { OrderInput, OrderLineInput, OrderPayment, OrderRef } from '../../../orders/order.types.ts';
import type { CustomFieldDefinition } from '../../../project/schemas.ts';
import type { ProjectSnapshot } from '../../../project/snapshot.ts';
import { validationError, type ValidationMessage } from '../../../shared/errors.ts';
import { parseMinor } from '../../../shared/money.ts';
import { given, isObject } from '../../../wire/decoded.ts';

export interface OrderInputOptions {
  /** the balance type points are asked in (its decimals), when the operation has one */
  pointScale: 0 | 2;
  requireTotalPrice: boolean;
  /** an order that must be found again later (offline orders) needs an identifier field */
  requireIdentifier: boolean;
}

/** Text of a scalar id (`"123"` or `123`); null for anything else. */
function idText(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** A list node: JSON arrays, or a single XML element that stood alone in its wrapper. */
export function listOf(value: unknown): unknown[] | null {
  if (!given(value)) return [];
  if (Array.isArray(value)) return value;
  return null;
}

/** A status given as `"iikoPaid"` or `{ids: {externalId: "iikoPaid"}}`. */
export function statusText(value: unknown): string | null {
  if (isObject(value) && isObject(value.ids)) return idText(value.ids.externalId);
  return idText(value);
}

/** An external id given as a string or as `{ids: {externalId}}` (point of contact, cash desk). */
function externalIdOf(value: unknown): string | null {
  if (isObject(value)) return isObject(value.ids) ? idText(value.ids.externalId) : null;
  return idText(value);
}

/** The order's identifiers: identifier fields of the project and `mindboxId`. */
export function parseOrderIds(project: ProjectSnapshot, node: unknown, location: string, problems: ValidationMessage[]): OrderRef {
  const ids: Record<string, string> = {};
  let mindboxId: number | undefined;
  if (node === undefined || node === null) return { ids };
  if (!isObject(node)) {
    problems.push({ location, message: 'ids is an object: {"iikoOrderId": "…"}' });
    return { ids };
  }
  // named in any case, stored under the field's system name (decision 0016)
  const fields = new Map(project.orderIdentifierFields().map((name) => [name.toLowerCase(), name]));
  for (const [key, value] of Object.entries(node)) {
    if (!given(value)) continue;
    const field = fields.get(key.toLowerCase());
    if (key === 'mindboxId') {
      const id = Number(value);
      if (Number.isSafeInteger(id) && id > 0) mindboxId = id;
      else problems.push({ location: `${location}/mindboxId`, message: 'mindboxId is a positive whole number' });
    } else if (field) {
      const text = idText(value);
      if (text === null || text.length > 200) problems.push({ location: `${location}/${key}`, message: 'an order identifier is a text of at most 200 characters' });
      else ids[field] = text;
    } else {
      problems.push({ location: `${location}/${key}`, message: `"${key}" is not an order identifier of this project (known: ${[...fields.values(), 'mindboxId'].join(', ')})` });
    }
  }
  return { ids, mindboxId };
}

/** A `customFields` node as given: an object of field system names and values (nothing given is none). */
export function customFieldsNode(node: unknown, location: string, problems: ValidationMessage[]): Record<string, unknown> {
  if (!given(node)) return {};
  if (isObject(node)) return node;
  problems.push({ location, message: 'customFields is an object of field system names and values' });
  return {};
}

/** A `customFields` node, each value checked against its field's definition. */
function parseCustomFields(definitions: CustomFieldDefinition[], node: unknown, location: string, problems: ValidationMessage[]): Record<string, unknown> {
  return checkCustomFields(definitions, customFieldsNode(node, location, problems), location, problems);
}

function amountProblem(location: string, what: string, scale: number): ValidationMessage {
  return { location, message: `${what} is a non-negative number with at most ${scale} decimals` };
}

/** A list of payments (`payments`, `returnedPayments`): each names its type and amount, in kopecks. */
export function parsePayments(node: unknown, location: string, problems: ValidationMessage[]): OrderPayment[] {
  const payments: OrderPayment[] = [];
  const list = listOf(node);
  if (list === null) {
    problems.push({ location, message: `${location.slice(location.lastIndexOf('/') + 1)} is a list: [{"type": "cash", "amount": 500}]` });
    return payments;
  }
  list.forEach((item, index) => {
    const type = isObject(item) ? idText(item.type) : null;
    const amount = isObject(item) ? parseMinor(item.amount, 2) : null;
    if (type === null) problems.push({ location: `${location}/${index}/type`, message: 'a payment names its type' });
    if (amount === null || amount < 0) problems.push(amountProblem(`${location}/${index}/amount`, 'amount', 2));
    if (type !== null && amount !== null && amount >= 0) payments.push({ type, amount });
  });
  return payments;
}

function parseLine(
  project: ProjectSnapshot,
  node: unknown,
  index: number,
  problems: ValidationMessage[],
  externalSystems: Set<string>,
): { line: OrderLineInput; externalSystem: string } | null {
  const at = `/order/lines/${index}`;
  if (!isObject(node)) {
    problems.push({ location: at, message: 'a line is an object with product, quantity and basePricePerItem' });
    return null;
  }
  const before = problems.length;
  let lineNumber = index + 1;
  if (given(node.lineNumber)) {
    const number = Number(node.lineNumber);
    if (Number.isSafeInteger(number) && number > 0) lineNumber = number;
    else problems.push({ location: `${at}/lineNumber`, message: 'lineNumber is a positive whole number' });
  }
  const lineId = given(node.lineId) ? idText(node.lineId) ?? undefined : undefined;
  if (given(node.lineId) && lineId === undefined) problems.push({ location: `${at}/lineId`, message: 'lineId is a text' });

  let productId = '';
  let externalSystem: string | undefined;
  const productIds = isObject(node.product) && isObject(node.product.ids) ? node.product.ids : null;
  const keys = productIds ? Object.keys(productIds).filter((key) => given(productIds[key])) : [];
  if (!productIds || keys.length === 0) {
    problems.push({ location: `${at}/product/ids`, message: `give the product id: "product": {"ids": {"${[...externalSystems][0] ?? 'iiko'}": "…"}}` });
  } else {
    const known = keys.filter((key) => externalSystems.has(key));
    if (known.length === 0) {
      problems.push({ location: `${at}/product/ids/${keys[0]}`, message: `"${keys[0]}" is not an external system of this project (known: ${[...externalSystems].join(', ')})` });
    } else {
      externalSystem = known[0];
      const text = idText(productIds[externalSystem]);
      if (text === null || text.length > 200) problems.push({ location: `${at}/product/ids/${externalSystem}`, message: 'a product id is a text of at most 200 characters' });
      else productId = text;
    }
  }

  const quantity = parseMinor(node.quantity, 3);
  if (!given(node.quantity)) problems.push({ location: `${at}/quantity`, message: 'quantity is required' });
  else if (quantity === null || quantity <= 0) problems.push({ location: `${at}/quantity`, message: 'quantity is a positive number with at most 3 decimals' });
  const basePrice = parseMinor(node.basePricePerItem, 2);
  if (!given(node.basePricePerItem)) problems.push({ location: `${at}/basePricePerItem`, message: 'basePricePerItem is required' });
  else if (basePrice === null || basePrice < 0) problems.push(amountProblem(`${at}/basePricePerItem`, 'basePricePerItem', 2));
  let minPrice: number | undefined;
  if (given(node.minPricePerItem)) {
    const parsed = parseMinor(node.minPricePerItem, 2);
    if (parsed === null || parsed < 0) problems.push(amountProblem(`${at}/minPricePerItem`, 'minPricePerItem', 2));
    else minPrice = parsed;
  }

  let status: string | undefined;
  if (given(node.status)) {
    const text = statusText(node.status);
    if (text === null) problems.push({ location: `${at}/status`, message: 'status is "iikoPaid" or {"ids": {"externalId": "iikoPaid"}}' });
    else if (!project.lineStatus(text)) problems.push({ location: `${at}/status`, message: `"${text}" is not an order line status of this project` });
    else status = text;
  }

  const requestedPromotions: RequestedPromotion[] = [];
  const requested = listOf(node.requestedPromotions);
  if (requested === null) problems.push({ location: `${at}/requestedPromotions`, message: 'requestedPromotions is a list' });
  else {
    requested.forEach((item, position) => {
      const where = `${at}/requestedPromotions/${position}`;
      if (!isObject(item)) return problems.push({ location: where, message: 'a requested promotion is an object' });
      const type = item.type ?? 'discount';
      if (type !== 'discount') return problems.push({ location: `${where}/type`, message: `only "discount" promotions of the POS are taken, not "${String(type)}"` });
      const externalId = isObject(item.promotion) && isObject(item.promotion.ids) ? idText(item.promotion.ids.externalId) : null;
      if (externalId === null) problems.push({ location: `${where}/promotion/ids/externalId`, message: 'name the POS discount: promotion.ids.externalId' });
      const amount = parseMinor(item.amount, 2);
      if (amount === null || amount < 0) problems.push(amountProblem(`${where}/amount`, 'amount', 2));
      if (externalId !== null && amount !== null && amount >= 0) {
        const name = isObject(item.promotion) && typeof item.promotion.name === 'string' ? item.promotion.name : undefined;
        requestedPromotions.push({ externalId, amount, ...(name ? { name } : {}) });
      }
    });
  }
  const customFields = parseCustomFields(project.customFields('OrderLine'), node.customFields, `${at}/customFields`, problems);
  if (problems.length > before) return null;
  const line: OrderLineInput = {
    lineNumber,
    ...(lineId === undefined ? {} : { lineId }),
    productId,
    quantity: quantity!,
    basePricePerItem: basePrice!,
    ...(minPrice === undefined ? {} : { minPricePerItem: minPrice }),
    ...(status === undefined ? {} : { status }),
    requestedPromotions,
    customFields,
  };
  return { line, externalSystem: externalSystem! };
}

/** Reads `body.order` (and the root `pointOfContact`); throws one ValidationError listing every problem. */
export function parseOrderInput(project: ProjectSnapshot, body: Record<string, unknown>, options: OrderInputOptions): OrderInput {
  const problems: ValidationMessage[] = [];
  const order = body.order;
  if (!isObject(order)) throw validationError({ location: '/order', message: 'the request needs an order with its lines' });

  const { ids, mindboxId } = parseOrderIds(project, order.ids, '/order/ids', problems);
  if (options.requireIdentifier && Object.keys(ids).length === 0) {
    problems.push({ location: '/order/ids', message: `give the order's identifier: {"${project.orderIdentifierFields()[0] ?? 'externalId'}": "…"}` });
  }

  let totalPrice: number | undefined;
  if (given(order.totalPrice)) {
    const parsed = parseMinor(order.totalPrice, 2);
    if (parsed === null || parsed < 0) problems.push(amountProblem('/order/totalPrice', 'totalPrice', 2));
    else totalPrice = parsed;
  } else if (options.requireTotalPrice) {
    problems.push({ location: '/order/totalPrice', message: 'totalPrice is required: send the total the preorder answered' });
  }

  const pointOfContactNode = given(body.pointOfContact) ? body.pointOfContact : order.pointOfContact;
  const pointOfContact = given(pointOfContactNode) ? externalIdOf(pointOfContactNode) : null;
  if (given(pointOfContactNode) && pointOfContact === null) problems.push({ location: '/pointOfContact', message: 'pointOfContact is the venue id, a text' });
  const cashdesk = given(order.cashdesk) ? externalIdOf(order.cashdesk) : null;
  if (given(order.cashdesk) && cashdesk === null) problems.push({ location: '/order/cashdesk', message: 'cashdesk is {"ids": {"externalId": "…"}}' });

  let pointsRequested = 0;
  const bonusPoints = listOf(order.bonusPoints);
  if (bonusPoints === null) problems.push({ location: '/order/bonusPoints', message: 'bonusPoints is a list: [{"amount": 100}]' });
  else {
    bonusPoints.forEach((item, index) => {
      const amount = isObject(item) ? parseMinor(item.amount, options.pointScale) : null;
      if (amount === null || amount < 0) {
        problems.push({
          location: `/order/bonusPoints/${index}/amount`,
          message: options.pointScale === 0 ? 'points to spend are a non-negative whole number' : 'points to spend are a non-negative number with at most 2 decimals',
        });
      } else pointsRequested += amount;
    });
  }

  const coupons: string[] = [];
  const couponList = listOf(order.coupons);
  if (couponList === null) problems.push({ location: '/order/coupons', message: 'coupons is a list: [{"ids": {"code": "…"}}]' });
  else {
    couponList.forEach((item, index) => {
      const code = isObject(item) && isObject(item.ids) ? idText(item.ids.code) : null;
      if (code === null || code.length > 100) problems.push({ location: `/order/coupons/${index}/ids/code`, message: 'a coupon code is a text of at most 100 characters' });
      else if (!coupons.includes(code)) coupons.push(code);
    });
  }

  const payments = parsePayments(order.payments, '/order/payments', problems);

  const customFields = parseCustomFields(project.customFields('Order'), order.customFields, '/order/customFields', problems);

  const externalSystems = new Set(project.definition.externalSystems.map((system) => system.systemName));
  const lineNodes = listOf(order.lines);
  const lines: OrderLineInput[] = [];
  let externalSystem: string | undefined;
  if (lineNodes === null || lineNodes.length === 0) problems.push({ location: '/order/lines', message: 'an order has at least one line' });
  else {
    const numbers = new Set<number>();
    lineNodes.forEach((node, index) => {
      const parsed = parseLine(project, node, index, problems, externalSystems);
      if (!parsed) return;
      const { line } = parsed;
      if (numbers.has(line.lineNumber)) {
        problems.push({ location: `/order/lines/${index}/lineNumber`, message: `lineNumber ${line.lineNumber} is used by another line` });
        return;
      }
      numbers.add(line.lineNumber);
      if (externalSystem === undefined) externalSystem = parsed.externalSystem;
      else if (parsed.externalSystem !== externalSystem) {
        problems.push({ location: `/order/lines/${index}/product/ids`, message: `all lines name products of one external system (${externalSystem})` });
        return;
      }
      lines.push(line);
    });
  }
  if (problems.length > 0) throw validationError(problems);
  return {
    ids,
    ...(mindboxId === undefined ? {} : { mindboxId }),
    ...(totalPrice === undefined ? {} : { totalPrice }),
    externalSystem: externalSystem!,
    ...(pointOfContact ? { pointOfContact } : {}),
    ...(cashdesk ? { cashdesk } : {}),
    pointsRequested,
    coupons,
    payments,
    customFields,
    lines,
  };
}

/**
 * How far back an order's time may go. A POS holds its offline queue for days, not years; a time older than this
 * is a clock reset (to 2000, to 1970) and would date the sale, its points and its rank there, so it is refused.
 */
export const OLDEST_TIME_DAYS = 365;

const DAY_MS = 86_400_000;

/** A time the request gives at `location`, or null when it gives none; refused when malformed, ahead or too old. */
function timeAt(value: unknown, location: string, now: Date): Date | null {
  if (!given(value)) return null;
  const name = location.slice(location.lastIndexOf('/') + 1);
  const moment = typeof value === 'string' ? parseDateTime(value) : null;
  if (!moment) throw validationError({ location, message: `${name} is a UTC date and time, e.g. 2026-01-31T12:00:00Z` });
  // a minute of clock skew between the POS and the server is allowed
  if (moment.getTime() > now.getTime() + 60_000) {
    throw validationError({ location, message: `${name} is in the future; send the time the order was taken` });
  }
  if (moment.getTime() < now.getTime() - OLDEST_TIME_DAYS * DAY_MS) {
    throw validationError({ location, message: `${name} is more than ${OLDEST_TIME_DAYS} days ago; check the clock of the POS` });
  }
  return moment;
}

/** The root `executionDateTimeUtc`, or `now`; a time in the future or more than OLDEST_TIME_DAYS ago is refused. */
export function executionTimeOf(body: Record<string, unknown>, now: Date): Date {
  return timeAt(body.executionDateTimeUtc, '/executionDateTimeUtc', now) ?? now;
}

/**
 * When an offline order was rung up: its own `order.createdDateTimeUtc`, else the root `executionDateTimeUtc`,
 * else `now` (the order is recorded when it arrives). Both are checked when both are given; the order's own time
 * wins, since a client may set the execution time to when it sent the queued order.
 */
export function offlineOrderTimeOf(body: Record<string, unknown>, now: Date): Date {
  const execution = timeAt(body.executionDateTimeUtc, '/executionDateTimeUtc', now);
  const created = isObject(body.order) ? timeAt(body.order.createdDateTimeUtc, '/order/createdDateTimeUtc', now) : null;
  return created ?? execution ?? now;
}
