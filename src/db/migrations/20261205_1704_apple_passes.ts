import type { Kysely } from 'kysely';

// Apple Wallet passes of the guest's card (decision 0023): one pass per guest (its serial number), what it showed
// when last built (a fingerprint, and since when: the web service's "updated since" tag), the devices that
// registered it for updates with their push tokens, and how far the update task has looked at changes.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('apple_passes')
    .addColumn('serial_number', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'bigint', (c) => c.notNull().unique().references('customers.id').onDelete('cascade'))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('apple_pass_registrations')
    .addColumn('device_library_id', 'text', (c) => c.notNull())
    .addColumn('serial_number', 'text', (c) => c.notNull().references('apple_passes.serial_number').onDelete('cascade'))
    .addColumn('push_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('apple_pass_registrations_pkey', ['device_library_id', 'serial_number'])
    .execute();
  await db.schema.createIndex('apple_pass_registrations_serial_number').on('apple_pass_registrations').column('serial_number').execute();
  await db.schema
    .createTable('apple_pass_sync')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('ledger_entry_id', 'bigint', (c) => c.notNull())
    .addColumn('customers_since', 'timestamptz', (c) => c.notNull())
    .execute();
  // the update task asks which guests changed since its last run
  await db.schema.createIndex('customers_updated_at').on('customers').column('updated_at').execute();
}
