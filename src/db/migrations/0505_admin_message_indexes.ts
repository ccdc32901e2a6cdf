import { sql, type Kysely } from 'kysely';

// The SMS log pages by (created_at, id) with failed messages first: one partial index per part, and one per
// guest for the guest card; each page reads an index in order however many messages there are.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index messages_failed_created on messages (created_at, id) where status = 'failed'`.execute(db);
  await sql`create index messages_others_created on messages (created_at, id) where status <> 'failed'`.execute(db);
  await db.schema.createIndex('messages_customer_created').on('messages').columns(['customer_id', 'created_at', 'id']).execute();
}
