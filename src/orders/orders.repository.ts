// All SQL of the orders module.
import { sql, type Insertable, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../db/database.ts';
import { eventRow, type DomainEvent } from '../jobs/outbox.ts';
import type { OrderLineHistoryTable, OrderLinesTable, OrderReturnedPaymentsTable, OrdersTable } from '../db/schema.ts';

export type OrderRow = Selectable<OrdersTable>;
export type OrderLineRow = Selectable<OrderLinesTable>;
export type OrderLineHistoryRow = Selectable<OrderLineHistoryTable>;
export type ReturnedPaymentRow = Selectable<OrderReturnedPaymentsTable>;

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

export type OrderWithIds = OrderRow & { ids: Record<string, string> };

/**
 * The orders these identifier values or this id name (normally one, or none), locked FOR UPDATE, each with
 * all its identifiers: one round trip for what a lookup, a lock and a read of the identifiers did.
 */
export async function lockOrdersNamed(db: Db, ids: Record<string, string>, mindboxId: number | undefined): Promise<OrderWithIds[]> {
  const pairs = Object.entries(ids);
  if (pairs.length === 0 && mindboxId === undefined) return [];
  return db
    .selectFrom('orders as o')
    .selectAll('o')
    .select(
      sql<Record<string, string>>`coalesce((select json_object_agg(i.field, i.value order by i.field) from order_identifiers i where i.order_id = o.id), '{}'::json)`.as('ids'),
    )
    .where((eb) =>
      eb.or([
        ...(pairs.length === 0
          ? []
          : [
              eb(
                'o.id',
                'in',
                eb
                  .selectFrom('order_identifiers')
                  .select('order_id')
                  .where((inner) => inner.or(pairs.map(([field, value]) => inner.and([inner('field', '=', field), inner('value', '=', value)])))),
              ),
            ]),
        ...(mindboxId === undefined ? [] : [eb('o.id', '=', mindboxId)]),
      ]),
    )
    .forUpdate(['o'])
    .execute();
}

export async function getOrder(db: Db, id: number, options: { lock?: boolean } = {}): Promise<OrderRow | undefined> {
  let query = db.selectFrom('orders').selectAll().where('id', '=', id);
  if (options.lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export type NewLine = Omit<Insertable<OrderLinesTable>, 'order_id'>;
export type NewHistory = Omit<Insertable<OrderLineHistoryTable>, 'order_id'>;

type ColumnTypes<Row> = [keyof Row & string, string][];

const LINE_COLUMNS: ColumnTypes<NewLine> = [
  ['line_number', 'integer'],
  ['line_id', 'text'],
  ['product_id', 'text'],
  ['quantity', 'numeric'],
  ['base_price_per_item', 'numeric'],
  ['min_price_per_item', 'numeric'],
  ['line_total', 'numeric'],
  ['discounted_price', 'numeric'],
  ['status', 'text'],
  ['points_spent', 'numeric'],
  ['points_spent_net', 'numeric'],
  ['points_earned', 'numeric'],
  ['points_earned_net', 'numeric'],
  ['earnings', 'jsonb'],
  ['applied_promotions', 'jsonb'],
  ['custom_fields', 'jsonb'],
  ['paid_at', 'timestamptz'],
];

const HISTORY_COLUMNS: ColumnTypes<NewHistory> = [
  ['line_number', 'integer'],
  ['status', 'text'],
  ['quantity', 'numeric'],
  ['operation', 'text'],
  ['transaction_id', 'text'],
  ['at', 'timestamptz'],
];

/**
 * `insert into <table> (order_id, columns…) select <order id>, t.* from unnest(…)`: the rows travel as one
 * array per column, a few parameters instead of one per value, which is what keeps parsing and planning a
 * 20-line order cheap. Rows go in in their order.
 */
function insertRows<Row>(table: 'order_lines' | 'order_line_history', orderId: RawBuilder<unknown>, columns: ColumnTypes<Row>, rows: Row[]) {
  const arrays = columns.map(([column, type]) =>
    sql`${rows.map((row) => {
      const value = row[column as keyof Row] as unknown;
      return value instanceof Date ? value.toISOString() : value === undefined ? null : value;
    })}::${sql.raw(type)}[]`,
  );
  const names = sql.join(columns.map(([column]) => sql.ref(column)));
  return sql`insert into ${sql.table(table)} (order_id, ${names}) select ${orderId}, t.* from unnest(${sql.join(arrays)}) as t(${names})`;
}

/** The outbox rows of domain events written by a statement of this module. */
const eventValues = (events: DomainEvent[]) => sql.join(events.map(eventRow).map((row) => sql`(${row.topic}, ${row.payload}::jsonb)`));

/**
 * Inserts an order with its identifiers, its lines, their first history rows and the events announcing it
 * (each gets the new order's id at `data.orderId`) in one statement; returns its id.
 */
export async function insertOrder(
  db: Db,
  values: Insertable<OrdersTable>,
  ids: Record<string, string>,
  lines: NewLine[],
  history: NewHistory[],
  events: DomainEvent[],
): Promise<number> {
  const pairs = Object.entries(ids);
  const orderId = sql<number>`(select id from inserted)`;
  const row = await db
    .with('inserted', (qb) => qb.insertInto('orders').values(values).returning('id'))
    .with('identifiers', (qb) =>
      pairs.length === 0
        ? sql`(select 1)`
        : qb
            .insertInto('order_identifiers')
            .columns(['field', 'value', 'order_id'])
            .expression(sql`select v.field, v.value, inserted.id from inserted, (values ${sql.join(pairs.map(([field, value]) => sql`(${field}, ${value})`))}) as v(field, value)`),
    )
    .with('lines', () => (lines.length === 0 ? sql`(select 1)` : sql`(${insertRows('order_lines', orderId, LINE_COLUMNS, lines)})`))
    .with('history', () => (history.length === 0 ? sql`(select 1)` : sql`(${insertRows('order_line_history', orderId, HISTORY_COLUMNS, history)})`))
    .with('events', (qb) =>
      events.length === 0
        ? sql`(select 1)`
        : qb
            .insertInto('outbox')
            .columns(['topic', 'payload', 'available_at'])
            .expression(sql`select v.topic, jsonb_set(v.payload, '{data,orderId}', to_jsonb(inserted.id)), now() from inserted, (values ${eventValues(events)}) as v(topic, payload)`),
    )
    .selectFrom('inserted')
    .select('id')
    .executeTakeFirstOrThrow();
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

/** Inserts an order's lines and their first history rows in one statement. */
export async function insertLines(db: Db, orderId: number, lines: NewLine[], history: NewHistory[]): Promise<void> {
  if (lines.length === 0) return;
  const id = sql`${orderId}::bigint`;
  await sql`with history as (${insertRows('order_line_history', id, HISTORY_COLUMNS, history)}) ${insertRows('order_lines', id, LINE_COLUMNS, lines)}`.execute(db);
}

export interface LineProgress {
  id: number;
  status: string;
  quantityReturned: string;
  quantityRefunded: string;
  amountReturned: string;
  pointsSpentNet: string;
  pointsEarnedNet: string;
  /** set when the line is paid now; an earlier payment time is kept */
  paidAt: Date | null;
}

/** Money given back with one status change: every payment shares the change's operation, key and time. */
export interface ReturnedPayments {
  payments: { type: string; amount: string }[];
  operation: string;
  transactionId: string | null;
  at: Date;
}

/**
 * Writes a status change in one statement: the new state of the changed lines, their history rows, the money
 * given back, the order's own changes and the events announcing them.
 */
export async function saveLineChanges(
  db: Db,
  orderId: number,
  lines: LineProgress[],
  history: NewHistory[],
  returned: ReturnedPayments,
  order: { updatedAt: Date; customFields?: Record<string, unknown> } | null,
  events: DomainEvent[],
): Promise<void> {
  const column = <T>(read: (line: LineProgress) => T) => lines.map(read);
  const parts = [
    ...(lines.length === 0
      ? []
      : [
          sql`lines as (
      update order_lines as l set
        status = v.status, quantity_returned = v.quantity_returned, quantity_refunded = v.quantity_refunded,
        amount_returned = v.amount_returned, points_spent_net = v.points_spent_net, points_earned_net = v.points_earned_net,
        paid_at = coalesce(l.paid_at, v.paid_at)
      from unnest(
        ${column((line) => line.id)}::bigint[], ${column((line) => line.status)}::text[],
        ${column((line) => line.quantityReturned)}::numeric[], ${column((line) => line.quantityRefunded)}::numeric[],
        ${column((line) => line.amountReturned)}::numeric[], ${column((line) => line.pointsSpentNet)}::numeric[],
        ${column((line) => line.pointsEarnedNet)}::numeric[], ${column((line) => line.paidAt?.toISOString() ?? null)}::timestamptz[]
      ) as v(id, status, quantity_returned, quantity_refunded, amount_returned, points_spent_net, points_earned_net, paid_at)
      where l.id = v.id and l.order_id = ${orderId})`,
        ]),
    ...(history.length === 0
      ? []
      : [
          sql`history as (${insertRows('order_line_history', sql`${orderId}::bigint`, HISTORY_COLUMNS, history)})`,
        ]),
    ...(returned.payments.length === 0
      ? []
      : [
          sql`returned_payments as (
      insert into order_returned_payments (order_id, type, amount, operation, transaction_id, at)
      select ${orderId}::bigint, v.type, v.amount, ${returned.operation}::text, ${returned.transactionId}::text, ${returned.at.toISOString()}::timestamptz
      from unnest(${returned.payments.map((payment) => payment.type)}::text[], ${returned.payments.map((payment) => payment.amount)}::numeric[]) with ordinality as v(type, amount, position)
      order by v.position)`,
        ]),
    ...(order === null
      ? []
      : [
          sql`changed as (
      update orders set updated_at = ${order.updatedAt}${order.customFields ? sql`, custom_fields = ${JSON.stringify(order.customFields)}::jsonb` : sql``}
      where id = ${orderId})`,
        ]),
    ...(events.length === 0 ? [] : [sql`events as (insert into outbox (topic, payload, available_at) select v.topic, v.payload, now() from (values ${eventValues(events)}) as v(topic, payload))`]),
  ];
  if (parts.length === 0) return;
  await sql`with ${sql.join(parts)} select 1`.execute(db);
}

export async function historyOf(db: Db, orderId: number): Promise<OrderLineHistoryRow[]> {
  return db.selectFrom('order_line_history').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
}

export async function returnedPaymentsOf(db: Db, orderId: number): Promise<ReturnedPaymentRow[]> {
  return db.selectFrom('order_returned_payments').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
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

export interface OrderListQuery {
  pointOfContact?: string;
  customerId?: number;
  /** orders with at least one line in this status */
  lineStatus?: string;
  from?: Date;
  to?: Date;
  /** keyset: the (executed_at, id) of the last order of the previous page */
  before?: { executedAt: Date; id: number };
  limit: number;
}

/** Orders newest first (by when they were executed), each with the distinct statuses of its lines. */
export async function listOrders(db: Db, query: OrderListQuery) {
  let select = db
    .selectFrom('orders as o')
    .select(['o.id', 'o.kind', 'o.customer_id', 'o.point_of_contact', 'o.total_price', 'o.executed_at', 'o.received_at'])
    .select(sql<string[]>`(select array_agg(distinct l.status) from order_lines l where l.order_id = o.id)`.as('statuses'))
    .select(sql<Record<string, string>>`(select coalesce(jsonb_object_agg(i.field, i.value), '{}'::jsonb) from order_identifiers i where i.order_id = o.id)`.as('ids'))
    .orderBy('o.executed_at', 'desc')
    .orderBy('o.id', 'desc')
    .limit(query.limit);
  if (query.pointOfContact) select = select.where('o.point_of_contact', '=', query.pointOfContact);
  if (query.customerId) select = select.where('o.customer_id', '=', query.customerId);
  if (query.from) select = select.where('o.executed_at', '>=', query.from);
  if (query.to) select = select.where('o.executed_at', '<', query.to);
  if (query.lineStatus) {
    const status = query.lineStatus;
    select = select.where(({ exists, selectFrom }) =>
      exists(selectFrom('order_lines as l').select('l.id').whereRef('l.order_id', '=', 'o.id').where('l.status', '=', status)),
    );
  }
  if (query.before) {
    const { executedAt, id } = query.before;
    select = select.where(sql<boolean>`(o.executed_at, o.id) < (${executedAt}, ${id})`);
  }
  return select.execute();
}

/** Orders and their totals per local day of execution in [from, to), split by whether a guest was named. */
export async function ordersPerDay(
  db: Db,
  query: { from: Date; to: Date; timeZone: string; pointOfContact?: string },
): Promise<{ day: string; with_guest: boolean; orders: number; revenue: string }[]> {
  let select = db
    .selectFrom('orders')
    .select([
      sql<string>`to_char((executed_at at time zone ${query.timeZone})::date, 'YYYY-MM-DD')`.as('day'),
      sql<boolean>`customer_id is not null`.as('with_guest'),
      (eb) => eb.fn.countAll<number>().as('orders'),
      sql<string>`sum(total_price)::text`.as('revenue'),
    ])
    .where('executed_at', '>=', query.from)
    .where('executed_at', '<', query.to);
  if (query.pointOfContact) select = select.where('point_of_contact', '=', query.pointOfContact);
  // by position: the time zone is a parameter, so the same expression written twice would not match
  return select.groupBy([sql`1`, sql`2`]).orderBy(sql`1`).execute();
}

export interface PaidOrderToReplay extends Pick<OrderRow, 'id' | 'customer_id' | 'kind' | 'balance_type' | 'point_of_contact' | 'integration_point' | 'coupons' | 'executed_at'> {
  /** its paid lines (the bill as it was paid), in line order; numbers as the database's numeric text */
  lines: Array<{
    lineNumber: number;
    productId: string | null;
    quantity: string;
    basePricePerItem: string;
    minPricePerItem: string | null;
    pointsSpent: string;
    /** the discounts the POS applied itself, as stored among the line's applied promotions */
    posDiscounts: Array<{ amount: number; promotion: { externalId: string; name: string } }>;
  }>;
}

/**
 * A page of the orders executed in [from, to) that have a paid line, with those lines, in (executed_at, id) order
 * after `after`: a replay reads them a page at a time along the executed_at index, one statement a page.
 */
export async function paidOrdersPage(
  db: Db,
  query: { from: Date; to: Date; after: { executedAt: Date; id: number } | null; limit: number },
): Promise<PaidOrderToReplay[]> {
  const after = query.after ? sql`and (o.executed_at, o.id) > (${query.after.executedAt}, ${query.after.id})` : sql``;
  const { rows } = await sql<PaidOrderToReplay>`
    select o.id, o.customer_id, o.kind, o.balance_type, o.point_of_contact, o.integration_point, o.coupons, o.executed_at, paid.lines
    from orders o
    cross join lateral (
      select json_agg(json_build_object(
          'lineNumber', l.line_number, 'productId', l.product_id, 'quantity', l.quantity::text,
          'basePricePerItem', l.base_price_per_item::text, 'minPricePerItem', l.min_price_per_item::text, 'pointsSpent', l.points_spent::text,
          'posDiscounts', jsonb_path_query_array(l.applied_promotions, '$[*] ? (@.type == "discount" && @.promotion.origin == "external")'))
        order by l.line_number) as lines
      from order_lines l where l.order_id = o.id and l.paid_at is not null) paid
    where o.executed_at >= ${query.from} and o.executed_at < ${query.to} and paid.lines is not null ${after}
    order by o.executed_at, o.id
    limit ${query.limit}`.execute(db);
  return rows;
}

/** The venues orders came from. */
export async function pointsOfContact(db: Db): Promise<string[]> {
  const { rows } = await sql<{ point_of_contact: string }>`
    with recursive venues(v) as (
      (select point_of_contact from orders where point_of_contact is not null order by point_of_contact limit 1)
      union all
      select (select point_of_contact from orders where point_of_contact > v order by point_of_contact limit 1) from venues where v is not null
    )
    select v as point_of_contact from venues where v is not null`.execute(db);
  return rows.map((row) => row.point_of_contact);
}
