import { sql, type Kysely } from 'kysely';

// Indexes the admin console's lists and dashboard need to stay fast with millions of guests and calls:
// guest search by name prefix, per-day counts, and keyset pages of the operation log under a filter.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index customers_last_name_prefix on customers (lower(last_name) text_pattern_ops, id)`.execute(db);
  await sql`create index customers_first_name_prefix on customers (lower(first_name) text_pattern_ops, id)`.execute(db);
  await db.schema.createIndex('customers_created_at').on('customers').columns(['created_at']).execute();
  await db.schema.createIndex('operation_log_status_id').on('operation_log').columns(['status', 'id']).execute();
  await db.schema.createIndex('operation_log_operation_id').on('operation_log').columns(['operation', 'id']).execute();
  await db.schema.createIndex('operation_log_point_id').on('operation_log').columns(['integration_point', 'id']).execute();
  await db.schema.createIndex('ledger_entries_at').on('ledger_entries').columns(['at']).execute();
}
