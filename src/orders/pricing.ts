// Prices an order: gathers what the pure calculation needs (the guest's rank and segments, the balance,
// the products' categories, the coupons) and runs `calculateCart`. `cartInputOf` puts the gathered parts
// together; a simulation of a proposed program (src/simulation) gathers them its own way and prices with it.
import { resolveProducts } from '../catalog/catalog.service.ts';
import type { CustomerRow } from '../customers/customers.service.ts';
import type { Db } from '../db/database.ts';
import { calculateCart, type CalculationMode, type CartCoupon, type CartCustomer, type CartInput, type CartResult } from '../loyalty/calculate.ts';
import { couponStatuses } from '../loyalty/coupons.service.ts';
import type { BalanceTypeDefinition } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { segmentsOfCustomer } from '../segments/segments.service.ts';
import type { OrderContext, OrderInput } from './order.types.ts';

export interface Pricing {
  input: CartInput;
  result: CartResult;
  /** product ids of the order the catalogue does not know: calculated without product promotions */
  unknownProducts: string[];
}

/** The product lookup: categories with their ancestors for the products the catalogue knows. */
async function productCategories(db: Db, externalSystem: string, productIds: string[]): Promise<Map<string, string[]>> {
  const products = await resolveProducts(db, externalSystem, productIds);
  return new Map([...products.entries()].map(([id, product]) => [id, product.categoryIds]));
}

export interface PricingOptions {
  mode: CalculationMode;
  customer: CustomerRow | null;
  balanceType: BalanceTypeDefinition | null;
  /** balance type minor units the guest may spend on this order */
  pointsAvailable: number;
  /** the moment whose rules apply (the order's time for offline orders) */
  at: Date;
  /** lock the coupons till the end of the transaction (orders that will use them) */
  lockCoupons: boolean;
  /** an order being updated: its own coupon uses do not count against it */
  exceptOrderId?: number;
}

export async function priceOrder(db: Db, ctx: OrderContext, order: OrderInput, options: PricingOptions): Promise<Pricing> {
  const customer = options.mode === 'anonymous' ? null : options.customer;
  const productIds = order.lines.map((line) => line.productId);
  const [categories, segments, coupons] = await Promise.all([
    productCategories(db, order.externalSystem, productIds),
    customer ? segmentsOfCustomer(db, customer.id).then((rows) => rows.map((row) => row.segment)) : Promise.resolve([]),
    options.mode === 'offline'
      ? Promise.resolve<CartCoupon[]>([])
      : couponStatuses(db, ctx.project, order.coupons, customer?.id ?? null, { lock: options.lockCoupons, exceptOrderId: options.exceptOrderId }),
  ]);
  const input = cartInputOf({
    project: ctx.project,
    order,
    categories,
    customer: customer ? { isPhoneConfirmed: customer.is_mobile_phone_confirmed, segments, customFields: (customer.custom_fields ?? {}) as Record<string, unknown> } : null,
    confirmsPhones: ctx.confirmsPhones,
    balanceType: options.balanceType,
    pointsAvailable: options.pointsAvailable,
    coupons,
    mode: options.mode,
    at: options.at,
  });
  return { input, result: calculateCart(input), unknownProducts: productIds.filter((id) => !categories.has(id)) };
}

/** What the calculation of an order needs, gathered: the order, its products' categories, the guest as the program sees them. */
export interface CartParts {
  /** whose promotions and time zone apply */
  project: ProjectSnapshot;
  order: Pick<OrderInput, 'lines' | 'pointOfContact' | 'pointsRequested'>;
  /** the categories (with their ancestors) of the products the catalogue knows */
  categories: Map<string, string[]>;
  /** null: anonymous */
  customer: CartCustomer | null;
  /** the caller's integration point confirms phones */
  confirmsPhones: boolean;
  balanceType: BalanceTypeDefinition | null;
  /** balance type minor units the guest may spend on this order */
  pointsAvailable: number;
  coupons: CartCoupon[];
  mode: CalculationMode;
  /** the moment whose rules apply */
  at: Date;
}

/** The input of `calculateCart` for an order: the one way an order, a sample bill and a replayed order are priced. */
export function cartInputOf(parts: CartParts): CartInput {
  const { order, categories } = parts;
  const customer = parts.mode === 'anonymous' ? null : parts.customer;
  const balanceType = customer ? parts.balanceType : null;
  return {
    now: parts.at,
    timeZone: parts.project.settings.timeZone,
    ...(order.pointOfContact === undefined ? {} : { pointOfContact: order.pointOfContact }),
    lines: order.lines.map((line) => ({
      lineNumber: line.lineNumber,
      ...(line.lineId === undefined ? {} : { lineId: line.lineId }),
      productId: line.productId,
      productKnown: categories.has(line.productId),
      categoryIds: categories.get(line.productId) ?? [],
      quantity: line.quantity,
      basePricePerItem: line.basePricePerItem,
      ...(line.minPricePerItem === undefined ? {} : { minPricePerItem: line.minPricePerItem }),
      requestedPromotions: line.requestedPromotions,
    })),
    customer,
    phoneConfirmationRequired: parts.confirmsPhones,
    balanceType: balanceType
      ? { systemName: balanceType.systemName, name: balanceType.name, fractional: balanceType.fractional, lifetimeDays: balanceType.lifetimeDays }
      : null,
    pointsAvailable: parts.pointsAvailable,
    pointsRequested: parts.mode === 'authorized' ? order.pointsRequested : 0,
    promotions: parts.project.definition.promotions,
    coupons: parts.coupons,
    mode: customer ? parts.mode : parts.mode === 'offline' ? 'offline' : 'anonymous',
  };
}
