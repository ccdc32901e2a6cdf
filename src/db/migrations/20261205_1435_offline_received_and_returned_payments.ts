import { sql, type Kysely } from 'kysely';

// An offline order is dated when the POS rang it up (executed_at); when it reached the server is kept beside it,
// null for orders created online (their creation is their arrival) and for offline orders saved before. The
// money a POS gives back with a return or a status change (`order.returnedPayments`) is kept with the call.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').addColumn('received_at', 'timestamptz').execute();
  await db.schema
    .createTable('order_returned_payments')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('order_id', 'bigint', (c) => c.notNull().references('orders.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('amount', 'numeric', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('transaction_id', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index order_returned_payments_order on order_returned_payments (order_id, id)`.execute(db);
}
