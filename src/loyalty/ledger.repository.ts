// All SQL of the points ledger: entries, lots, lot moves and balance rows.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { LedgerEntryKind, LedgerSource } from '../db/schema.ts';

export interface OpenLotRow {
  id: number;
  entry_id: number;
  balance_type: string;
  order_id: number | null;
  active_from: Date;
  expires_at: Date | null;
  remaining: string;
}

export interface BalanceWithLotsRow {
  balance_type: string;
  total: string;
  lot_id: number | null;
  order_id: number | null;
  active_from: Date | null;
  expires_at: Date | null;
  remaining: string | null;
}

/** Balance rows with their open lots in one round trip (a guest without a balance row has no lots either). */
export async function balancesWithLots(db: Db, customerId: number, balanceTypes: string[]): Promise<BalanceWithLotsRow[]> {
  if (balanceTypes.length === 0) return [];
  return db
    .selectFrom('point_balances as b')
    .leftJoin('point_lots as l', (join) =>
      join.onRef('l.customer_id', '=', 'b.customer_id').onRef('l.balance_type', '=', 'b.balance_type').on('l.remaining', '>', '0'),
    )
    .select(['b.balance_type', 'b.total', 'l.id as lot_id', 'l.order_id', 'l.active_from', 'l.expires_at', 'l.remaining'])
    .where('b.customer_id', '=', customerId)
    .where('b.balance_type', 'in', balanceTypes)
    .orderBy(sql`l.expires_at asc nulls last`)
    .orderBy('l.id')
    .execute();
}

export interface LockedBalanceRow {
  total: string;
  lots: OpenLotRow[];
}

async function selectLockedWithLots(db: Db, customerId: number, balanceType: string): Promise<LockedBalanceRow | null> {
  const rows = await db
    .selectFrom('point_balances as b')
    .leftJoin('point_lots as l', (join) =>
      join.onRef('l.customer_id', '=', 'b.customer_id').onRef('l.balance_type', '=', 'b.balance_type').on('l.remaining', '>', '0'),
    )
    .select(['b.total', 'l.id', 'l.entry_id', 'l.balance_type', 'l.order_id', 'l.active_from', 'l.expires_at', 'l.remaining'])
    .where('b.customer_id', '=', customerId)
    .where('b.balance_type', '=', balanceType)
    .orderBy(sql`l.expires_at asc nulls last`)
    .orderBy('l.id')
    .forUpdate(['b'])
    .execute();
  if (rows.length === 0) return null;
  const lots = rows.filter((row) => row.id !== null) as unknown as OpenLotRow[];
  return { total: rows[0].total, lots };
}

/**
 * Locks the guest's balance row until the transaction ends (creating it when missing) and reads it with
 * its open lots, soonest expiry first: one round trip when the row exists.
 */
export async function lockBalanceWithLots(db: Db, customerId: number, balanceType: string): Promise<LockedBalanceRow> {
  const locked = await selectLockedWithLots(db, customerId, balanceType);
  if (locked) return locked;
  await db
    .insertInto('point_balances')
    .values({ customer_id: customerId, balance_type: balanceType, total: '0' })
    .onConflict((oc) => oc.columns(['customer_id', 'balance_type']).doNothing())
    .execute();
  return (await selectLockedWithLots(db, customerId, balanceType))!;
}

export interface NewEntry {
  customer_id: number;
  balance_type: string;
  kind: LedgerEntryKind;
  amount: string;
  active_from?: Date | null;
  expires_at?: Date | null;
  order_id?: number | null;
  source: LedgerSource;
  operation?: string | null;
  actor?: string | null;
  reason: string;
  related_entry_id?: number | null;
  at: Date;
}

/** Appends an entry and adds its amount to the balance row, in one statement. */
export async function insertEntry(db: Db, entry: NewEntry): Promise<number> {
  const row = await db
    .with('entry', (qb) => qb.insertInto('ledger_entries').values(entry).returning('id'))
    .with('balance', (qb) =>
      qb
        .updateTable('point_balances')
        .set({ total: sql`total + ${entry.amount}::numeric`, updated_at: entry.at })
        .where('customer_id', '=', entry.customer_id)
        .where('balance_type', '=', entry.balance_type)
        .returning('total'),
    )
    .selectFrom('entry')
    .select('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertLot(
  db: Db,
  lot: { customer_id: number; balance_type: string; entry_id: number; order_id: number | null; active_from: Date; expires_at: Date | null; amount: string; remaining: string },
): Promise<number> {
  const row = await db.insertInto('point_lots').values(lot).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Moves points out of (negative) or back into (positive) lots on behalf of one entry, in one statement. */
export async function moveLots(db: Db, entryId: number, moves: { lotId: number; amount: string }[]): Promise<void> {
  if (moves.length === 0) return;
  const values = sql.join(moves.map((move) => sql`(${move.lotId}::bigint, ${move.amount}::numeric)`));
  await sql`
    with moved as (
      insert into point_lot_moves (lot_id, entry_id, amount)
      select v.lot_id, ${entryId}::bigint, v.amount from (values ${values}) as v(lot_id, amount)
    )
    update point_lots l set remaining = l.remaining + v.amount
    from (values ${values}) as v(lot_id, amount)
    where l.id = v.lot_id`.execute(db);
}

export interface LotMoveRow {
  lot_id: number;
  entry_id: number;
  amount: string;
  expires_at: Date | null;
}

/** The moves of these entries with the expiry of the lot each touched, oldest first. */
export async function movesOfEntries(db: Db, entryIds: number[]): Promise<LotMoveRow[]> {
  if (entryIds.length === 0) return [];
  return db
    .selectFrom('point_lot_moves as m')
    .innerJoin('point_lots as l', 'l.id', 'm.lot_id')
    .select(['m.lot_id', 'm.entry_id', 'm.amount', 'l.expires_at'])
    .where('m.entry_id', 'in', entryIds)
    .orderBy('m.id')
    .execute();
}

export interface EntryRow {
  id: number;
  customer_id: number;
  balance_type: string;
  kind: LedgerEntryKind;
  amount: string;
  active_from: Date | null;
  expires_at: Date | null;
  order_id: number | null;
  source: LedgerSource;
  operation: string | null;
  actor: string | null;
  reason: string;
  related_entry_id: number | null;
  at: Date;
}

export async function entriesOfOrder(db: Db, orderId: number, kinds: LedgerEntryKind[]): Promise<EntryRow[]> {
  return db.selectFrom('ledger_entries').selectAll().where('order_id', '=', orderId).where('kind', 'in', kinds).orderBy('id').execute();
}

/** A guest's entries, newest first, each with the balance right after it. */
export async function entriesOfCustomer(
  db: Db,
  customerId: number,
  options: { balanceType?: string; beforeId?: number; limit: number },
): Promise<(EntryRow & { balance_after: string })[]> {
  let history = db
    .selectFrom('ledger_entries')
    .selectAll()
    .select(sql<string>`sum(amount) over (partition by balance_type order by id)`.as('balance_after'))
    .where('customer_id', '=', customerId);
  if (options.balanceType) history = history.where('balance_type', '=', options.balanceType);
  let query = db.selectFrom(history.as('h')).selectAll();
  if (options.beforeId) query = query.where('id', '<', options.beforeId);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}

/** Guests and balance types that have lots past their expiry still holding points. */
export async function balancesWithExpiredLots(db: Db, now: Date, limit: number): Promise<{ customer_id: number; balance_type: string }[]> {
  return db
    .selectFrom('point_lots')
    .select(['customer_id', 'balance_type'])
    .where('remaining', '>', '0')
    .where('expires_at', '<=', now)
    .groupBy(['customer_id', 'balance_type'])
    .limit(limit)
    .execute();
}

/** Sum of every entry per guest and balance type next to the balance row (for the consistency check). */
export async function ledgerDiscrepancies(db: Db): Promise<{ customer_id: number; balance_type: string; ledger: string; balance: string }[]> {
  const { rows } = await sql<{ customer_id: number; balance_type: string; ledger: string; balance: string }>`
    select coalesce(l.customer_id, b.customer_id) as customer_id, coalesce(l.balance_type, b.balance_type) as balance_type,
           coalesce(l.sum, 0)::text as ledger, coalesce(b.total, 0)::text as balance
    from (select customer_id, balance_type, sum(amount) as sum from ledger_entries group by customer_id, balance_type) l
    full join point_balances b on b.customer_id = l.customer_id and b.balance_type = l.balance_type
    where coalesce(l.sum, 0) <> coalesce(b.total, 0)`.execute(db);
  return rows;
}

/** Points per local day and entry kind in [from, to), in the balance type's units (sum of signed amounts). */
export async function pointsPerDay(
  db: Db,
  query: { from: Date; to: Date; timeZone: string; balanceType?: string },
): Promise<{ day: string; kind: LedgerEntryKind; amount: string }[]> {
  const day = sql<string>`to_char((at at time zone ${query.timeZone})::date, 'YYYY-MM-DD')`;
  let select = db
    .selectFrom('ledger_entries')
    .select([day.as('day'), 'kind', sql<string>`sum(amount)::text`.as('amount')])
    .where('at', '>=', query.from)
    .where('at', '<', query.to);
  if (query.balanceType) select = select.where('balance_type', '=', query.balanceType);
  // by position: the time zone is a parameter, so the same expression written twice would not match
  return select.groupBy([sql`1`, 'kind']).orderBy(sql`1`).execute();
}
