import type { Kysely } from 'kysely';

// Indexes for the console's order list (newest first, by venue) and the dashboard's per-day order series.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('orders_executed').on('orders').columns(['executed_at', 'id']).execute();
  await db.schema.createIndex('orders_point_executed').on('orders').columns(['point_of_contact', 'executed_at', 'id']).execute();
  await db.schema.createIndex('messages_created_at').on('messages').columns(['created_at']).execute();
  await db.schema.createIndex('scenario_runs_scenario').on('scenario_runs').columns(['scenario', 'id']).execute();
}
