// The points ledger: append-only entries, the lots of points they create (what is left of each accrual
// and when it activates and expires), the moves between lots and entries (what each spend consumed,
// what a refund restored), and one balance row per guest and balance type for locking and speed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('customer_id', 'bigint', (c) => c.notNull().references('customers.id'))
    .addColumn('balance_type', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('accrual', 'spend', 'accrualReversal', 'spendRefund', 'expiry', 'adjustment')`),
    )
    .addColumn('amount', 'numeric', (c) => c.notNull())
    .addColumn('active_from', 'timestamptz')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('order_id', 'bigint')
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('operation', 'scenario', 'admin', 'system')`))
    .addColumn('operation', 'text')
    .addColumn('actor', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('related_entry_id', 'bigint')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_entries_customer').on('ledger_entries').columns(['customer_id', 'balance_type', 'id']).execute();
  await db.schema.createIndex('ledger_entries_order').on('ledger_entries').columns(['order_id']).where(sql.ref('order_id'), 'is not', null).execute();

  await db.schema
    .createTable('point_lots')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('customer_id', 'bigint', (c) => c.notNull())
    .addColumn('balance_type', 'text', (c) => c.notNull())
    .addColumn('entry_id', 'bigint', (c) => c.notNull().references('ledger_entries.id'))
    .addColumn('order_id', 'bigint')
    .addColumn('active_from', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('amount', 'numeric', (c) => c.notNull())
    .addColumn('remaining', 'numeric', (c) => c.notNull().check(sql`remaining >= 0`))
    .execute();
  await db.schema
    .createIndex('point_lots_open')
    .on('point_lots')
    .columns(['customer_id', 'balance_type'])
    .where(sql.ref('remaining'), '>', 0)
    .execute();
  await db.schema.createIndex('point_lots_expiring').on('point_lots').columns(['expires_at']).where(sql.ref('remaining'), '>', 0).execute();
  await db.schema.createIndex('point_lots_order').on('point_lots').columns(['order_id']).where(sql.ref('order_id'), 'is not', null).execute();

  await db.schema
    .createTable('point_lot_moves')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('lot_id', 'bigint', (c) => c.notNull().references('point_lots.id'))
    .addColumn('entry_id', 'bigint', (c) => c.notNull().references('ledger_entries.id'))
    .addColumn('amount', 'numeric', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('point_lot_moves_entry').on('point_lot_moves').columns(['entry_id']).execute();
  await db.schema.createIndex('point_lot_moves_lot').on('point_lot_moves').columns(['lot_id']).execute();

  await db.schema
    .createTable('point_balances')
    .addColumn('customer_id', 'bigint', (c) => c.notNull().references('customers.id'))
    .addColumn('balance_type', 'text', (c) => c.notNull())
    .addColumn('total', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('point_balances_pk', ['customer_id', 'balance_type'])
    .execute();
}
