import { sql, type Kysely } from 'kysely';

// Scenarios started by the calendar (decision 0020): a daily pass per scenario and local day, done once whichever
// worker takes it, over the guests it concerns, found by index rather than by reading every guest: a birthday by
// the month and day of the birth date, a guest who stopped coming by the time their order lines were paid. A mark
// per scenario and guest says when the guest last got it and for which occurrence (a birthday's date), so a
// birthday comes once a year and a win-back not again for the scenario's days. A coupon given to a guest is
// marked given, so no two guests get the same code.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scenario_daily_passes')
    .addColumn('scenario', 'text', (c) => c.notNull())
    .addColumn('local_day', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('guests', 'integer')
    .addPrimaryKeyConstraint('scenario_daily_passes_pkey', ['scenario', 'local_day'])
    .execute();
  await db.schema
    .createTable('scenario_date_marks')
    .addColumn('scenario', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'bigint', (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('occurrence', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('scenario_date_marks_pkey', ['scenario', 'customer_id'])
    .execute();
  await sql`create index customers_birthday on customers (((extract(month from birth_date) * 100 + extract(day from birth_date))::int), id) where birth_date is not null`.execute(db);
  await sql`create index order_lines_paid_at on order_lines (paid_at) where paid_at is not null`.execute(db);

  await db.schema.alterTable('coupons').addColumn('issued_to', 'bigint').execute();
  await db.schema.alterTable('coupons').addColumn('issued_at', 'timestamptz').execute();
  await sql`create index coupons_not_issued on coupons (pool, code) where issued_to is null and uses = 0`.execute(db);
}
