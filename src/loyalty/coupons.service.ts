// Coupons: codes issued in the project's coupon pools, checked by the calculation, used when an order is
// created and given back when it is updated or returned in full. A `single` code works once in all; a
// `perCustomer` code works up to the pool's limit for each guest, so it needs an identified guest.
import { randomInt } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { validationError } from '../shared/errors.ts';
import type { CartCoupon } from './calculate.ts';
import * as repository from './coupons.repository.ts';

// no 0/O, 1/I/L: codes are read aloud and typed by cashiers
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;
export const MAX_CODES_PER_CALL = 10_000;

function randomCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** Generates `count` new unique codes in a pool of the project. */
export async function issueCoupons(db: Db, project: ProjectSnapshot, pool: string, count: number, now: Date): Promise<string[]> {
  if (!project.definition.couponPools.some((candidate) => candidate.systemName === pool)) {
    throw validationError({ location: '/pool', message: `"${pool}" is not a coupon pool of this project` });
  }
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_CODES_PER_CALL) {
    throw validationError({ location: '/count', message: `count is a whole number from 1 to ${MAX_CODES_PER_CALL}` });
  }
  const issued: string[] = [];
  while (issued.length < count) {
    const wanted = new Set<string>();
    while (wanted.size < count - issued.length) wanted.add(randomCode());
    issued.push(...(await repository.insertCoupons(db, pool, [...wanted], now)));
  }
  return issued;
}

/** A code of the pool for this guest alone (a scenario's issueCoupon step); undefined when the pool has none left. */
export const giveCoupon = repository.giveCoupon;

/**
 * The status of each code for this order: `NotFound`, `Used` (no uses left, not counting this order's
 * own), `Blocked` (a per-guest code on an anonymous order), or `CanBeUsed`. With `lock`, the codes stay
 * locked until the transaction ends, so two orders cannot use the last use of a code together.
 */
export async function couponStatuses(
  db: Db,
  project: ProjectSnapshot,
  codes: string[],
  customerId: number | null,
  options: { lock: boolean; exceptOrderId?: number },
): Promise<CartCoupon[]> {
  if (codes.length === 0) return [];
  const rows = new Map((await repository.findCoupons(db, codes, { lock: options.lock })).map((row) => [row.code, row]));
  const pools = new Map(project.definition.couponPools.map((pool) => [pool.systemName, pool]));
  const found = [...rows.keys()];
  const allUses = await repository.countUses(db, found, { exceptOrderId: options.exceptOrderId });
  const guestUses = customerId === null ? new Map<string, number>() : await repository.countUses(db, found, { customerId, exceptOrderId: options.exceptOrderId });
  return codes.map((code): CartCoupon => {
    const row = rows.get(code);
    const pool = row ? pools.get(row.pool) : undefined;
    if (!row || !pool) return { code, status: 'NotFound' };
    if (pool.usage === 'single') return { code, pool: pool.systemName, status: (allUses.get(code) ?? 0) >= 1 ? 'Used' : 'CanBeUsed' };
    if (customerId === null) return { code, pool: pool.systemName, status: 'Blocked' };
    return { code, pool: pool.systemName, status: (guestUses.get(code) ?? 0) >= (pool.limitPerCustomer ?? 1) ? 'Used' : 'CanBeUsed' };
  });
}

/** The pool of each of these codes that exists, whatever its uses. */
export async function couponPoolsOf(db: Db, codes: string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  return new Map((await repository.findCoupons(db, codes, { lock: false })).map((coupon) => [coupon.code, coupon.pool]));
}

export async function useCoupons(db: Db, codes: string[], customerId: number | null, orderId: number, now: Date): Promise<void> {
  await repository.recordUses(db, codes, customerId, orderId, now);
}

/** Gives back the codes an order used (the order was changed or returned in full). */
export async function releaseCoupons(db: Db, orderId: number): Promise<string[]> {
  return repository.deleteUsesOfOrder(db, orderId);
}

export async function couponPoolStatistics(db: Db, pool: string): Promise<{ issued: number; used: number }> {
  return repository.poolStatistics(db, pool);
}
