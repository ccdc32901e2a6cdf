import type { Kysely } from 'kysely';

// Google Wallet loyalty objects of the guest's card (decisions 0023, 0024): one per guest who took the save link
// (its id at Google), and what it showed when last sent (a fingerprint): the updates know whom to send and when.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('google_wallet_objects')
    .addColumn('object_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'bigint', (c) => c.notNull().unique().references('customers.id').onDelete('cascade'))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
}
