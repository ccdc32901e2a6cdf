// The paid orders of a period priced again by the current and the proposed program: what each would have given
// in discounts and points, per local day and in total. Both sides are priced now, the same way, from the bill as
// it was paid (its paid lines, the POS's own discounts, the points spent, the coupons, the venue, the moment),
// for the guest as they are now: the difference is the program's alone, not the guests' history since.
// Orders are read a page at a time along the executed_at index, between which the connection is free for other
// work (the embedded database has one); the whole replay stops at `limit` orders.
import { defaultExternalSystem, resolveProducts } from '../catalog/catalog.service.ts';
import type { Db } from '../db/database.ts';
import { pointScale } from '../loyalty/balances.ts';
import { calculateCart, type CartCoupon, type CartCustomer, type CartResult } from '../loyalty/calculate.ts';
import { couponPoolsOf } from '../loyalty/coupons.service.ts';
import type { OrderLineInput } from '../orders/order.types.ts';
import { paidOrdersPage, type PaidOrderToReplay } from '../orders/orders.service.ts';
import { cartInputOf } from '../orders/pricing.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { fromNumeric } from '../shared/money.ts';
import { localDate } from '../shared/time-zone.ts';
import { guestsUnderPrograms, type GuestUnderPrograms, type Programs } from './programs.ts';

/** What a program gave over some orders: kopecks and balance type minor units. */
export interface ReplayTotals {
  /** our discounts (the POS's own are the same under both and left out) */
  discount: number;
  pointsEarned: number;
  pointsSpent: number;
}

export interface ReplayDay {
  /** local date, YYYY-MM-DD */
  day: string;
  orders: number;
  current: ReplayTotals;
  proposed: ReplayTotals;
}

export interface Replay {
  from: Date;
  to: Date;
  orders: number;
  /** false: the period had more than `limit` paid orders; the totals are of the first `limit` */
  complete: boolean;
  current: ReplayTotals;
  proposed: ReplayTotals;
  perDay: ReplayDay[];
  /** the points' scale of the programs' balance types (0 whole, 2 hundredths): of the current program's first */
  pointScale: 0 | 2;
}

export interface ReplayOptions {
  from: Date;
  to: Date;
  /** the guests' segments and levels are read at this moment */
  now: Date;
  pageSize: number;
  limit: number;
}

const QUANTITY_SCALE = 3;
const zero = (): ReplayTotals => ({ discount: 0, pointsEarned: 0, pointsSpent: 0 });

function add(totals: ReplayTotals, result: CartResult): void {
  totals.discount += ownDiscount(result);
  totals.pointsEarned += result.pointsEarned;
  totals.pointsSpent += result.pointsSpent;
}

function ownDiscount(result: CartResult): number {
  let amount = 0;
  for (const line of result.lines) for (const applied of line.appliedPromotions) if (applied.type === 'discount' && applied.promotion.origin === 'own') amount += applied.amount;
  return amount;
}

export async function replayPaidOrders(db: Db, programs: Programs, options: ReplayOptions): Promise<Replay> {
  const timeZone = programs.current.settings.timeZone;
  const externalSystem = defaultExternalSystem(programs.current);
  const catalogue: Catalogue = { categories: new Map(), looked: new Set() };
  // a guest met again on a later page is not read again
  const guests = new Map<number, GuestUnderPrograms>();
  const replay: Replay = {
    from: options.from,
    to: options.to,
    orders: 0,
    complete: true,
    current: zero(),
    proposed: zero(),
    perDay: [],
    pointScale: programs.current.definition.balanceTypes[0] ? pointScale(programs.current.definition.balanceTypes[0]) : 0,
  };
  const days = new Map<string, ReplayDay>();
  let after: { executedAt: Date; id: number } | null = null;
  for (;;) {
    const pageSize = Math.min(options.pageSize, options.limit - replay.orders);
    if (pageSize <= 0) {
      replay.complete = (await paidOrdersPage(db, { from: options.from, to: options.to, after, limit: 1 })).length === 0;
      break;
    }
    const orders = await paidOrdersPage(db, { from: options.from, to: options.to, after, limit: pageSize });
    if (orders.length === 0) break;
    const couponPools = await readAroundPage(db, programs, orders, externalSystem, catalogue, guests, options.now);
    for (const order of orders) {
      const day = localDate(order.executed_at, timeZone);
      let totals = days.get(day);
      if (!totals) days.set(day, (totals = { day, orders: 0, current: zero(), proposed: zero() }));
      totals.orders++;
      replay.orders++;
      const guest = order.customer_id === null ? undefined : guests.get(order.customer_id);
      const coupons: CartCoupon[] = order.coupons.map((code) => {
        const pool = couponPools.get(code);
        return pool === undefined ? { code, status: 'NotFound' } : { code, status: 'CanBeUsed', pool };
      });
      for (const side of ['current', 'proposed'] as const) {
        const result = priceOrder(programs[side], order, catalogue.categories, guest?.[side] ?? null, coupons);
        add(totals[side], result);
        add(replay[side], result);
      }
    }
    const last = orders[orders.length - 1];
    after = { executedAt: last.executed_at, id: last.id };
    if (orders.length < pageSize) break;
  }
  replay.perDay = [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
  return replay;
}

/** The categories of the products a replay met that the catalogue knows, and every product it looked up. */
interface Catalogue {
  categories: Map<string, string[]>;
  looked: Set<string>;
}

/**
 * What a page's orders need besides themselves: the categories of the products and the guests not met before
 * (kept in `catalogue` and `guests` for the pages after), and the pools of its coupons.
 */
async function readAroundPage(
  db: Db,
  programs: Programs,
  orders: PaidOrderToReplay[],
  externalSystem: string,
  catalogue: Catalogue,
  guests: Map<number, GuestUnderPrograms>,
  now: Date,
): Promise<Map<string, string>> {
  // the menu is read once per product a replay meets
  const unseen = [...new Set(orders.flatMap((order) => order.lines.map((line) => line.productId)).filter((id): id is string => id !== null && !catalogue.looked.has(id)))];
  if (unseen.length) {
    for (const [id, product] of await resolveProducts(db, externalSystem, unseen)) catalogue.categories.set(id, product.categoryIds);
    for (const id of unseen) catalogue.looked.add(id);
  }
  const unseenGuests = [...new Set(orders.map((order) => order.customer_id).filter((id): id is number => id !== null && !guests.has(id)))];
  for (const [id, guest] of await guestsUnderPrograms(db, programs, unseenGuests, now)) guests.set(id, guest);
  return couponPoolsOf(db, [...new Set(orders.flatMap((order) => order.coupons))]);
}

function priceOrder(
  project: ProjectSnapshot,
  order: PaidOrderToReplay,
  categories: Map<string, string[]>,
  customer: CartCustomer | null,
  coupons: CartCoupon[],
): CartResult {
  const balanceType = order.balance_type === null ? null : (project.balanceType(order.balance_type) ?? null);
  const scale = balanceType ? pointScale(balanceType) : 0;
  const pointsSpent = order.lines.reduce((total, line) => total + fromNumeric(line.pointsSpent, scale), 0);
  const lines = order.lines.map(
    (line): OrderLineInput => ({
      lineNumber: line.lineNumber,
      productId: line.productId ?? '',
      quantity: fromNumeric(line.quantity, QUANTITY_SCALE),
      basePricePerItem: fromNumeric(line.basePricePerItem),
      ...(line.minPricePerItem === null ? {} : { minPricePerItem: fromNumeric(line.minPricePerItem) }),
      // the POS's own discounts, as it applied them then
      requestedPromotions: line.posDiscounts.map((discount) => ({ externalId: discount.promotion.externalId, amount: discount.amount, name: discount.promotion.name })),
      customFields: {},
    }),
  );
  const input = cartInputOf({
    project,
    order: { lines, ...(order.point_of_contact === null ? {} : { pointOfContact: order.point_of_contact }), pointsRequested: pointsSpent },
    categories,
    customer,
    confirmsPhones: project.integrationPoint(order.integration_point)?.phoneConfirmation ?? false,
    balanceType,
    // the guest spends what they spent then, as far as the program lets them
    pointsAvailable: pointsSpent,
    coupons,
    mode: order.kind,
    at: order.executed_at,
  });
  return calculateCart(input);
}
