import { sql, type Kysely } from 'kysely';

// A guest's consent to be written to (decision 0016): the current value per channel (Sms, Email, Viber,
// Mobilepush, Webpush), narrowed to a brand and a topic or not ('' when not), and every change of it with where
// it came from. The partial index lists the guests subscribed to a channel in id order, for campaigns.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('customer_subscriptions')
    .addColumn('customer_id', 'bigint', (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('point_of_contact', 'text', (c) => c.notNull())
    .addColumn('brand', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('topic', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('is_subscribed', 'boolean', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('customer_subscriptions_pkey', ['customer_id', 'point_of_contact', 'brand', 'topic'])
    .execute();
  await sql`create index customer_subscriptions_subscribed on customer_subscriptions (point_of_contact, brand, topic, customer_id) where is_subscribed`.execute(db);

  await db.schema
    .createTable('customer_subscription_changes')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('customer_id', 'bigint', (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('point_of_contact', 'text', (c) => c.notNull())
    .addColumn('brand', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    // null: the guest had given no answer for this channel before
    .addColumn('was_subscribed', 'boolean')
    .addColumn('is_subscribed', 'boolean', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('integration_point', 'text')
    .addColumn('operation', 'text')
    .addColumn('actor', 'text')
    .addColumn('reason', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customer_subscription_changes_customer').on('customer_subscription_changes').columns(['customer_id', 'id']).execute();
}
