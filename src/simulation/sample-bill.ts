// A sample bill priced by the current and the proposed program side by side: dishes from the menu (the
// catalogue's price unless one is given), for a guest, a guest of a level, or nobody, at a moment and a venue.
import { defaultExternalSystem, resolveProducts } from '../catalog/catalog.service.ts';
import type { Db } from '../db/database.ts';
import { customerBalancesMinor, pointScale } from '../loyalty/balances.ts';
import { calculateCart, type CartCustomer, type CartInput, type CartResult } from '../loyalty/calculate.ts';
import type { OrderLineInput } from '../orders/order.types.ts';
import { cartInputOf } from '../orders/pricing.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { AppError } from '../shared/errors.ts';
import { parseMinor } from '../shared/money.ts';
import { guestOfLevel, guestsUnderPrograms, orderSettingsOf, type Programs } from './programs.ts';

export interface SampleBill {
  lines: { productId: string; quantity: number; /** roubles; the catalogue's price when left out */ price?: number }[];
  /** a guest by id … */
  customerId?: number;
  /** … or a guest of a level, named by its segment */
  level?: string;
  /** points the guest asks to spend */
  points?: number;
  pointOfContact?: string;
  at: Date;
}

/** A bill priced by one program, as the domain gives it. */
export interface PricedBill {
  input: CartInput;
  result: CartResult;
}

export interface SampleBillResult {
  /** the products' names from the catalogue (absent when it does not know one) */
  productNames: Map<string, string>;
  /** the lines as priced, in minor units */
  lines: OrderLineInput[];
  current: PricedBill;
  proposed: PricedBill;
}

const QUANTITY_SCALE = 3;

export async function priceSampleBill(db: Db, programs: Programs, bill: SampleBill): Promise<SampleBillResult> {
  const externalSystem = defaultExternalSystem(programs.current);
  const products = await resolveProducts(db, externalSystem, bill.lines.map((line) => line.productId));
  const lines = bill.lines.map((line, index): OrderLineInput => {
    const price = line.price === undefined ? (products.get(line.productId)?.priceMinor ?? null) : parseMinor(line.price, 2);
    if (price === null) {
      throw new AppError('validation', 'a line needs a price', {
        validationMessages: [{ location: `/bill/lines/${index}/price`, message: `the catalogue has no price for "${line.productId}": give one` }],
      });
    }
    const quantity = parseMinor(line.quantity, QUANTITY_SCALE);
    if (quantity === null) throw new AppError('validation', 'a quantity has at most 3 decimals', { validationMessages: [{ location: `/bill/lines/${index}/quantity`, message: 'at most 3 decimals' }] });
    return { lineNumber: index + 1, productId: line.productId, quantity, basePricePerItem: price, requestedPromotions: [], customFields: {} };
  });
  const categories = new Map([...products].map(([id, product]) => [id, product.categoryIds]));

  let guests: { current: CartCustomer; proposed: CartCustomer } | null = null;
  let pointsAvailable = { current: 0, proposed: 0 };
  if (bill.customerId !== undefined) {
    const guest = (await guestsUnderPrograms(db, programs, [bill.customerId], bill.at)).get(bill.customerId);
    if (!guest) throw new AppError('not_found', `there is no guest ${bill.customerId}`);
    guests = guest;
    pointsAvailable = { current: await available(db, programs.current, bill.customerId, bill.at), proposed: await available(db, programs.proposed, bill.customerId, bill.at) };
  } else if (bill.level !== undefined) {
    const known = [...programs.currentLevels.segments, ...programs.proposedLevels.segments].some((segment) => segment.systemName === bill.level);
    if (!known) throw new AppError('validation', 'not a level', { validationMessages: [{ location: '/bill/level', message: `"${bill.level}" is a level segment of neither program` }] });
    guests = { current: guestOfLevel(programs.currentLevels, bill.level), proposed: guestOfLevel(programs.proposedLevels, bill.level) };
  }

  const price = (project: ProjectSnapshot, customer: CartCustomer | null, balance: number): PricedBill => {
    const settings = orderSettingsOf(project);
    const scale = settings.balanceType ? pointScale(settings.balanceType) : 0;
    const requested = bill.points === undefined ? 0 : (parseMinor(bill.points, scale) ?? 0);
    const input = cartInputOf({
      project,
      order: { lines, pointOfContact: bill.pointOfContact, pointsRequested: requested },
      categories,
      customer,
      confirmsPhones: settings.confirmsPhones,
      balanceType: settings.balanceType,
      // a guest of a level has whatever they ask to spend
      pointsAvailable: bill.customerId === undefined ? requested : balance,
      coupons: [],
      mode: customer ? 'authorized' : 'anonymous',
      at: bill.at,
    });
    return { input, result: calculateCart(input) };
  };
  return {
    productNames: new Map([...products].map(([id, product]) => [id, product.name])),
    lines,
    current: price(programs.current, guests?.current ?? null, pointsAvailable.current),
    proposed: price(programs.proposed, guests?.proposed ?? null, pointsAvailable.proposed),
  };
}

/** The guest's available points in the balance type a program's orders use (minor units). */
async function available(db: Db, project: ProjectSnapshot, customerId: number, at: Date): Promise<number> {
  const { balanceType } = orderSettingsOf(project);
  if (!balanceType) return 0;
  const [balance] = await customerBalancesMinor(db, project, customerId, [balanceType.systemName], at);
  return balance?.available ?? 0;
}
