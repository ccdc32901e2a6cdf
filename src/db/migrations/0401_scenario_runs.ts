import { sql, type Kysely } from 'kysely';

// One row per scenario and event: the unique pair makes a run happen once however often the event is
// delivered; the row is also the guest's run log (trigger, matched branch, steps and their results).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scenario_runs')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('scenario', 'text', (c) => c.notNull())
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'bigint')
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('operation', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('branch', 'text')
    .addColumn('steps', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('scenario_runs_scenario_event', ['scenario', 'event_key'])
    .execute();
  await db.schema.createIndex('scenario_runs_customer').on('scenario_runs').columns(['customer_id', 'id']).execute();
}
