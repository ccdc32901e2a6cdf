import { sql, type Kysely } from 'kysely';

// Retention (docs/retention.md): each table that grows with traffic gets the index its periodic clean-up walks
// in batches, so no run reads the rows it keeps. An async call's request body (the guest's phone, the order)
// is dropped once the call has run: the body of every call that already ran goes now.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index protocol_transactions_created on protocol_transactions (created_at)`.execute(db);
  await sql`create index async_operations_finished on async_operations (processed_at) where status in ('done', 'failed')`.execute(db);
  await sql`alter table async_operations alter column body drop not null`.execute(db);
  await sql`update async_operations set body = null where status in ('done', 'failed')`.execute(db);
  await sql`create index outbox_done on outbox (processed_at) where status = 'done'`.execute(db);
  await sql`create index customer_codes_expires on customer_codes (expires_at)`.execute(db);
  await sql`create index messages_with_text on messages (created_at) where text_encrypted is not null`.execute(db);
  await sql`create index scenario_runs_created on scenario_runs (created_at)`.execute(db);
  // the few runs of events still to be delivered again, which keep every run of their event
  await sql`create index scenario_runs_unsettled on scenario_runs (event_key) where status in ('retrying', 'parked')`.execute(db);
}
