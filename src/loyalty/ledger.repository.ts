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

/**
 * The locked balance row with its open lots. `fresh` is false when the statement had to wait for the lock:
 * PostgreSQL then answers the newest balance row but the lots as they were when the statement began, so
 * they must be read again (the lock is held by then).
 */
async function selectLockedWithLots(db: Db, customerId: number, balanceType: string): Promise<(LockedBalanceRow & { fresh: boolean }) | null> {
  const rows = await db
    .selectFrom('point_balances as b')
    .leftJoin('point_lots as l', (join) =>
      join.onRef('l.customer_id', '=', 'b.customer_id').onRef('l.balance_type', '=', 'b.balance_type').on('l.remaining', '>', '0'),
    )
    .select(['b.total', 'l.id', 'l.entry_id', 'l.balance_type', 'l.order_id', 'l.active_from', 'l.expires_at', 'l.remaining'])
    // the row version the statement's snapshot sees is the locked one unless another transaction changed it meanwhile
    .select(
      sql<boolean>`coalesce(b.xmin = (select s.xmin from point_balances s where s.customer_id = b.customer_id and s.balance_type = b.balance_type), false)`.as(
        'fresh',
      ),
    )
    .where('b.customer_id', '=', customerId)
    .where('b.balance_type', '=', balanceType)
    .orderBy(sql`l.expires_at asc nulls last`)
    .orderBy('l.id')
    .forUpdate(['b'])
    .execute();
  if (rows.length === 0) return null;
  const lots = rows.filter((row) => row.id !== null) as unknown as OpenLotRow[];
  return { total: rows[0].total, lots, fresh: rows[0].fresh };
}

/**
 * Locks the guest's balance row until the transaction ends (creating it when missing) and reads it with
 * its open lots, soonest expiry first: one round trip when the row exists and nobody else holds it.
 */
export async function lockBalanceWithLots(db: Db, customerId: number, balanceType: string): Promise<LockedBalanceRow> {
  let locked = await selectLockedWithLots(db, customerId, balanceType);
  if (!locked) {
    await db
      .insertInto('point_balances')
      .values({ customer_id: customerId, balance_type: balanceType, total: '0' })
      .onConflict((oc) => oc.columns(['customer_id', 'balance_type']).doNothing())
      .execute();
    locked = (await selectLockedWithLots(db, customerId, balanceType))!;
  }
  if (!locked.fresh) locked = (await selectLockedWithLots(db, customerId, balanceType))!;
  return { total: locked.total, lots: locked.lots };
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

export interface LotMove {
  lotId: number;
  /** signed: negative takes points out of the lot, positive gives them back */
  amount: string;
}

/**
 * Appends an entry, adds its amount to the balance row and applies the entry's lot moves, in one statement;
 * with `createLot` the entry also opens the lot it credits (same amount, activation, expiry and order).
 */
export async function insertEntry(db: Db, entry: NewEntry, effects: { moves?: LotMove[]; createLot?: boolean } = {}): Promise<{ entryId: number; lotId: number | null }> {
  const moves = effects.moves ?? [];
  const values = sql.join(moves.map((move) => sql`(${move.lotId}::bigint, ${move.amount}::numeric)`));
  const { rows } = await sql<{ entry_id: number; lot_id: number | null }>`
    with entry as (
      insert into ledger_entries (customer_id, balance_type, kind, amount, active_from, expires_at, order_id, source, operation, actor, reason, related_entry_id, at)
      values (${entry.customer_id}, ${entry.balance_type}, ${entry.kind}, ${entry.amount}, ${entry.active_from ?? null}, ${entry.expires_at ?? null},
        ${entry.order_id ?? null}, ${entry.source}, ${entry.operation ?? null}, ${entry.actor ?? null}, ${entry.reason}, ${entry.related_entry_id ?? null}, ${entry.at})
      returning id, customer_id, balance_type, order_id, active_from, expires_at, amount
    ),
    balance as (
      update point_balances set total = total + ${entry.amount}::numeric, updated_at = ${entry.at}
      where customer_id = ${entry.customer_id} and balance_type = ${entry.balance_type}
    )${
      moves.length === 0
        ? sql``
        : sql`,
    moved as (
      insert into point_lot_moves (lot_id, entry_id, amount)
      select v.lot_id, entry.id, v.amount from entry, (values ${values}) as v(lot_id, amount)
    ),
    lots as (
      update point_lots l set remaining = l.remaining + v.amount
      from (values ${values}) as v(lot_id, amount)
      where l.id = v.lot_id
    )`
    }${
      effects.createLot
        ? sql`,
    lot as (
      insert into point_lots (customer_id, balance_type, entry_id, order_id, active_from, expires_at, amount, remaining)
      select customer_id, balance_type, id, order_id, active_from, expires_at, amount, amount from entry
      returning id
    )
    select entry.id as entry_id, (select id from lot) as lot_id from entry`
        : sql`
    select entry.id as entry_id, null::bigint as lot_id from entry`
    }`.execute(db);
  return { entryId: rows[0].entry_id, lotId: rows[0].lot_id };
}

/** Moves points out of (negative) or back into (positive) lots on behalf of one entry, in one statement. */
export async function moveLots(db: Db, entryId: number, moves: LotMove[]): Promise<void> {
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
  /** the lot's own: the entry that created it, its order, activation and expiry */
  lot_entry_id: number;
  lot_order_id: number | null;
  active_from: Date;
  expires_at: Date | null;
}

/** The moves of these entries with the lot each touched, oldest first. */
export async function movesOfEntries(db: Db, entryIds: number[]): Promise<LotMoveRow[]> {
  if (entryIds.length === 0) return [];
  return db
    .selectFrom('point_lot_moves as m')
    .innerJoin('point_lots as l', 'l.id', 'm.lot_id')
    .select(['m.lot_id', 'm.entry_id', 'm.amount', 'l.entry_id as lot_entry_id', 'l.order_id as lot_order_id', 'l.active_from', 'l.expires_at'])
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

/** The entries after `afterId`, oldest first: their ids and guests. */
export async function entriesAfter(db: Db, afterId: number, limit: number): Promise<{ id: number; customer_id: number }[]> {
  return db.selectFrom('ledger_entries').select(['id', 'customer_id']).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

export async function latestEntryId(db: Db): Promise<number> {
  const row = await db.selectFrom('ledger_entries').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return Number(row?.id ?? 0);
}
