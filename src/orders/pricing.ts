// Prices an order: gathers what the pure calculation needs (the guest's rank and segments, the balance,
// the products' categories, the coupons) and runs `calculateCart`.
import { resolveProducts, unknownProductNote } from '../catalog/catalog.service.ts';
import type { CustomerRow } from '../customers/customers.service.ts';
import type { Db } from '../db/database.ts';
import type { BalanceMinor } from '../loyalty/balances.ts';
import { calculateCart, formatCartForWire, type CalculationMode, type CartCoupon, type CartInput, type CartResult, type WireOrder } from '../loyalty/calculate.ts';
import { couponStatuses } from '../loyalty/coupons.service.ts';
import type { BalanceTypeDefinition, IntegrationPointDefinition, OperationDefinition } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { segmentsOfCustomer } from '../segments/segments.service.ts';
import type { OrderInput } from './order-input.ts';

/** What an order operation knows about the call it serves. */
export interface OrderCallContext {
  project: ProjectSnapshot;
  integrationPoint: IntegrationPointDefinition;
  operation: OperationDefinition;
  now: Date;
  transactionId: string | null;
  /** remarks for the operation log */
  notes: string[];
}

export interface Pricing {
  input: CartInput;
  result: CartResult;
}

/**
 * The balance type an operation works with: its `balanceType` setting, or the project's only balance
 * type when the setting is left out; null when there is none (no points at all).
 */
export function balanceTypeOf(ctx: Pick<OrderCallContext, 'project' | 'operation'>): BalanceTypeDefinition | null {
  const named = (ctx.operation.settings as { balanceType?: string }).balanceType;
  if (named) return ctx.project.balanceType(named) ?? null;
  const all = ctx.project.definition.balanceTypes;
  return all.length === 1 ? all[0] : null;
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

export async function priceOrder(db: Db, ctx: OrderCallContext, order: OrderInput, options: PricingOptions): Promise<Pricing> {
  const customer = options.mode === 'anonymous' ? null : options.customer;
  const productIds = order.lines.map((line) => line.productId);
  const [categories, segments, coupons] = await Promise.all([
    productCategories(db, order.externalSystem, productIds),
    customer ? segmentsOfCustomer(db, customer.id).then((rows) => rows.map((row) => row.segment)) : Promise.resolve([]),
    options.mode === 'offline'
      ? Promise.resolve<CartCoupon[]>([])
      : couponStatuses(db, ctx.project, order.coupons, customer?.id ?? null, { lock: options.lockCoupons, exceptOrderId: options.exceptOrderId }),
  ]);
  const unknown = productIds.filter((id) => !categories.has(id));
  const note = unknownProductNote(order.externalSystem, unknown);
  if (note) ctx.notes.push(note);

  const balanceType = customer ? options.balanceType : null;
  const input: CartInput = {
    now: options.at,
    timeZone: ctx.project.settings.timeZone,
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
      ...(line.status === undefined ? {} : { status: line.status }),
    })),
    customer: customer
      ? { isPhoneConfirmed: customer.is_mobile_phone_confirmed, segments, customFields: (customer.custom_fields ?? {}) as Record<string, unknown> }
      : null,
    phoneConfirmationRequired: ctx.integrationPoint.phoneConfirmation,
    balanceType: balanceType
      ? { systemName: balanceType.systemName, name: balanceType.name, fractional: balanceType.fractional, lifetimeDays: balanceType.lifetimeDays }
      : null,
    pointsAvailable: options.pointsAvailable,
    pointsRequested: options.mode === 'authorized' ? order.pointsRequested : 0,
    promotions: ctx.project.definition.promotions,
    coupons,
    mode: customer ? options.mode : options.mode === 'offline' ? 'offline' : 'anonymous',
  };
  return { input, result: calculateCart(input) };
}

/** The calculation's `order` node, with the guest's balance as it stands. */
export function wireOrderOf(pricing: Pricing, order: OrderInput, balance: BalanceMinor | null): WireOrder {
  return formatCartForWire(pricing.result, pricing.input, {
    externalSystem: order.externalSystem,
    ...(balance ? { balance: { total: balance.total, available: balance.available, blocked: balance.blocked } } : {}),
  });
}
