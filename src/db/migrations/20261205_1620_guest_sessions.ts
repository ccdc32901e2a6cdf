import type { Kysely } from 'kysely';

// The guest's own card page (issue 17, decision 0023): a guest signs in with an SMS code and gets a short session;
// the cookie holds a random id, the table its SHA-256 only, as the console's sessions do.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('guest_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'bigint', (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('guest_sessions_expires_at').on('guest_sessions').column('expires_at').execute();
  await db.schema.createIndex('guest_sessions_customer_id').on('guest_sessions').column('customer_id').execute();
}
