import { sql, type Kysely } from 'kysely';

// The list of parked work reads the parked outbox jobs and async calls newest parked first, and the dashboard
// counts them: a partial index on each holds only the few parked rows, however many jobs are done.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index outbox_parked on outbox (processed_at, id) where status = 'parked'`.execute(db);
  await sql`create index async_operations_parked on async_operations (processed_at, id) where status = 'parked'`.execute(db);
}
