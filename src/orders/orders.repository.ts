// All SQL of the orders module.
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { OrderLineHistoryTable, OrderLinesTable, OrdersTable } from '../db/schema.ts';

export type OrderRow = Selectable<OrdersTable>;
export type OrderLineRow = Selectable<OrderLinesTable>;
export type OrderLineHistoryRow = Selectable<OrderLineHistoryTable>;

/**
 * Serialises work on one order identity until the transaction ends, even before the order exists (two
 * creates or offline saves of the same order must not both insert it). Keys are locked in sorted order.
 */
export async function lockOrderKeys(db: Db, keys: string[]): Promise<void> {
  for (const key of [...new Set(keys)].sort()) {
    await sql`select pg_advisory_xact_lock(hashtext(${`order:${key}`}))`.execute(db);
  }
}

/** The orders these identifier values point to (normally one, or none). */
export async function findOrderIdsByIdentifiers(db: Db, ids: Record<string, string>): Promise<number[]> {
  const pairs = Object.entries(ids);
  if (pairs.length === 0) return [];
  const rows = await db
    .selectFrom('order_identifiers')
    .select('order_id')
    .where((eb) => eb.or(pairs.map(([field, value]) => eb.and([eb('field', '=', field), eb('value', '=', value)]))))
    .execute();
  return [...new Set(rows.map((row) => row.order_id))];
}

export async function getOrder(db: Db, id: number, options: { lock?: boolean } = {}): Promise<OrderRow | undefined> {
  let query = db.selectFrom('orders').selectAll().where('id', '=', id);
  if (options.lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function insertOrder(db: Db, values: Insertable<OrdersTable>): Promise<number> {
  const row = await db.insertInto('orders').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateOrder(db: Db, id: number, values: Updateable<OrdersTable>): Promise<void> {
  await db.updateTable('orders').set(values).where('id', '=', id).execute();
}

export async function insertIdentifiers(db: Db, orderId: number, ids: Record<string, string>): Promise<void> {
  const rows = Object.entries(ids).map(([field, value]) => ({ field, value, order_id: orderId }));
  if (rows.length === 0) return;
  await db
    .insertInto('order_identifiers')
    .values(rows)
    .onConflict((oc) => oc.columns(['field', 'value']).doNothing())
    .execute();
}

export async function identifiersOf(db: Db, orderId: number): Promise<Record<string, string>> {
  const rows = await db.selectFrom('order_identifiers').select(['field', 'value']).where('order_id', '=', orderId).orderBy('field').execute();
  return Object.fromEntries(rows.map((row) => [row.field, row.value]));
}

export async function linesOf(db: Db, orderId: number): Promise<OrderLineRow[]> {
  return db.selectFrom('order_lines').selectAll().where('order_id', '=', orderId).orderBy('line_number').execute();
}

export async function deleteLines(db: Db, orderId: number): Promise<void> {
  await db.deleteFrom('order_lines').where('order_id', '=', orderId).execute();
}

export async function insertLines(db: Db, lines: Insertable<OrderLinesTable>[]): Promise<void> {
  if (lines.length === 0) return;
  await db.insertInto('order_lines').values(lines).execute();
}

export async function updateLine(db: Db, id: number, values: Updateable<OrderLinesTable>): Promise<void> {
  await db.updateTable('order_lines').set(values).where('id', '=', id).execute();
}

export async function insertHistory(db: Db, rows: Insertable<OrderLineHistoryTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('order_line_history').values(rows).execute();
}

export async function historyOf(db: Db, orderId: number): Promise<OrderLineHistoryRow[]> {
  return db.selectFrom('order_line_history').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
}

/** Kopecks a guest paid in settled lines (paid in the window), less what was returned of them. */
export async function paidTotal(db: Db, customerId: number, from: Date, to: Date): Promise<string> {
  const row = await db
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .select(sql<string>`coalesce(sum(l.discounted_price - l.amount_returned), 0)::text`.as('total'))
    .where('o.customer_id', '=', customerId)
    .where('l.paid_at', '>=', from)
    .where('l.paid_at', '<', to)
    .executeTakeFirstOrThrow();
  return row.total;
}
