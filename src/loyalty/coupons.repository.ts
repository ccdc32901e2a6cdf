// All SQL of coupons: the codes of each pool and every use of a code by an order.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface CouponRow {
  code: string;
  pool: string;
  uses: number;
}

/** Inserts the codes that are free; returns the ones inserted. */
export async function insertCoupons(db: Db, pool: string, codes: string[], at: Date): Promise<string[]> {
  if (codes.length === 0) return [];
  const rows = await db
    .insertInto('coupons')
    .values(codes.map((code) => ({ code, pool, created_at: at })))
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('code')
    .execute();
  return rows.map((row) => row.code);
}

/** Gives the guest a code of the pool that nobody was given nor used; undefined when none is left. */
export async function giveCoupon(db: Db, pool: string, customerId: number, at: Date): Promise<string | undefined> {
  const free = db
    .selectFrom('coupons')
    .select('code')
    .where('pool', '=', pool)
    .where('issued_to', 'is', null)
    .where('uses', '=', 0)
    .orderBy('code')
    .limit(1)
    .forUpdate()
    .skipLocked();
  const row = await db.updateTable('coupons').set({ issued_to: customerId, issued_at: at }).where('code', '=', free).returning('code').executeTakeFirst();
  return row?.code;
}

export async function findCoupons(db: Db, codes: string[], options: { lock: boolean }): Promise<CouponRow[]> {
  if (codes.length === 0) return [];
  let query = db.selectFrom('coupons').select(['code', 'pool', 'uses']).where('code', 'in', codes).orderBy('code');
  if (options.lock) query = query.forUpdate();
  return query.execute();
}

/** Uses of these codes, in all or by one guest, not counting one order's own uses. */
export async function countUses(
  db: Db,
  codes: string[],
  options: { customerId?: number; exceptOrderId?: number },
): Promise<Map<string, number>> {
  if (codes.length === 0) return new Map();
  let query = db
    .selectFrom('coupon_uses')
    .select(['code', sql<string>`count(*)`.as('uses')])
    .where('code', 'in', codes)
    .groupBy('code');
  if (options.customerId !== undefined) query = query.where('customer_id', '=', options.customerId);
  if (options.exceptOrderId !== undefined) query = query.where('order_id', '<>', options.exceptOrderId);
  const rows = await query.execute();
  return new Map(rows.map((row) => [row.code, Number(row.uses)]));
}

export async function recordUses(db: Db, codes: string[], customerId: number | null, orderId: number, at: Date): Promise<void> {
  if (codes.length === 0) return;
  await db
    .insertInto('coupon_uses')
    .values(codes.map((code) => ({ code, customer_id: customerId, order_id: orderId, at })))
    .execute();
  await db
    .updateTable('coupons')
    .set({ uses: sql`uses + 1`, used_by: customerId, used_at: at })
    .where('code', 'in', codes)
    .execute();
}

/** Removes an order's uses of its codes; returns the codes given back. */
export async function deleteUsesOfOrder(db: Db, orderId: number): Promise<string[]> {
  const rows = await db.deleteFrom('coupon_uses').where('order_id', '=', orderId).returning('code').execute();
  const codes = rows.map((row) => row.code);
  for (const code of codes) {
    await db.updateTable('coupons').set({ uses: sql`greatest(uses - 1, 0)` }).where('code', '=', code).execute();
  }
  return codes;
}

export async function poolStatistics(db: Db, pool: string): Promise<{ issued: number; used: number }> {
  const row = await db
    .selectFrom('coupons')
    .select([sql<string>`count(*)`.as('issued'), sql<string>`count(*) filter (where uses > 0)`.as('used')])
    .where('pool', '=', pool)
    .executeTakeFirstOrThrow();
  return { issued: Number(row.issued), used: Number(row.used) };
}
