// A preorder: the bill with discounts, points to spend and to earn, for a guest or for nobody. Saves nothing.
import type { CustomerRow, GuestIdentifiers } from '../customers/customers.service.ts';
import type { Db } from '../db/database.ts';
import { customerBalancesMinor, type BalanceMinor } from '../loyalty/balances.ts';
import type { BalanceTypeDefinition } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { fromNumeric } from '../shared/money.ts';
import { hasReturns, pointScaleOf } from './order-lines.ts';
import type { OrderContext, OrderInput } from './order.types.ts';
import * as repository from './orders.repository.ts';
import { priceOrder, type Pricing } from './pricing.ts';
import { lookUpGuest, sumOf } from './saved-orders.ts';

export interface CalculationRequest {
  order: OrderInput;
  /** the guest of an authorized calculation; null for an anonymous one */
  guest: GuestIdentifiers | null;
  /** the balance type the guest's points are in; null: no points */
  balanceType: BalanceTypeDefinition | null;
}

export interface Calculation {
  /** what became of the guest of an authorized calculation: one not found is calculated as anonymous */
  guest: { status: 'Found'; customer: CustomerRow } | { status: 'NotFound' | 'Ambiguous' } | null;
  pricing: Pricing;
  /** the guest's balance as it stands, in the balance type's minor units */
  balance: BalanceMinor | null;
}

async function balanceOf(db: Db, project: ProjectSnapshot, customer: CustomerRow | null, balanceType: BalanceTypeDefinition | null, at: Date): Promise<BalanceMinor | null> {
  if (!customer || !balanceType) return null;
  const [balance] = await customerBalancesMinor(db, project, customer.id, [balanceType.systemName], at);
  return balance ?? null;
}

/** The bill of an order as it would be created now, for the guest if one is named and found. */
export async function calculateOrder(db: Db, ctx: OrderContext, request: CalculationRequest): Promise<Calculation> {
  const { project } = ctx;
  const { order, balanceType } = request;
  const guest = request.guest ? await lookUpGuest(db, request.guest) : null;
  const customer = guest?.status === 'Found' ? guest.customer : null;
  const balance = await balanceOf(db, project, customer, balanceType, ctx.now);
  const saved = await updatableOrder(db, project, order, customer);
  const pricing = await priceOrder(db, ctx, order, {
    mode: customer ? 'authorized' : 'anonymous',
    customer,
    balanceType,
    pointsAvailable: (balance?.available ?? 0) + (saved?.spent ?? 0),
    at: ctx.now,
    lockCoupons: false,
    ...(saved ? { exceptOrderId: saved.id } : {}),
  });
  return { guest, pricing, balance };
}

/**
 * A saved order a preorder recalculates (same ids, same guest, no returns): what it spent counts as
 * available and its coupons as its own, exactly as the create that will update it sees them.
 */
async function updatableOrder(db: Db, project: ProjectSnapshot, order: OrderInput, customer: CustomerRow | null): Promise<{ id: number; spent: number } | null> {
  if (Object.keys(order.ids).length === 0 && order.mindboxId === undefined) return null;
  const ids = await repository.findOrderIdsByIdentifiers(db, order.ids);
  const id = ids.length === 1 ? ids[0] : ids.length === 0 ? order.mindboxId : undefined;
  if (id === undefined || (order.mindboxId !== undefined && order.mindboxId !== id)) return null;
  const saved = await repository.getOrder(db, id);
  if (!saved || saved.kind === 'offline' || saved.customer_id !== (customer?.id ?? null)) return null;
  const lines = await repository.linesOf(db, id);
  if (hasReturns(lines)) return null;
  const scale = pointScaleOf(saved.balance_type ? project.balanceType(saved.balance_type) : null);
  return { id, spent: Math.max(sumOf(lines.map((line) => fromNumeric(line.points_spent_net, scale))), 0) };
}
