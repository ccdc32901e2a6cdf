import { sql, type Kysely } from 'kysely';

// Segment membership (one row per guest and segment, with the moment the guest entered it) and the log of
// full recalculations: the daily one claims its local day here, so several worker processes run it once.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('customer_segments')
    // no foreign key: membership is derived, and checking a million inserted rows against customers would
    // cost a full recalculation more than computing them; a removed guest's rows go with the next evaluation
    .addColumn('customer_id', 'bigint', (c) => c.notNull())
    .addColumn('segment', 'text', (c) => c.notNull())
    .addColumn('entered_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('customer_segments_pk', ['customer_id', 'segment'])
    .execute();
  await db.schema.createIndex('customer_segments_segment').on('customer_segments').columns(['segment', 'customer_id']).execute();

  await db.schema
    .createTable('segment_recalculations')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('daily', 'definitions', 'manual')`))
    .addColumn('local_day', 'date', (c) => c.notNull())
    .addColumn('definitions_hash', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('entered', 'integer')
    .addColumn('left', 'integer')
    .addColumn('duration_ms', 'integer')
    .execute();
  await db.schema
    .createIndex('segment_recalculations_daily')
    .unique()
    .on('segment_recalculations')
    .column('local_day')
    .where(sql.ref('reason'), '=', 'daily')
    .execute();
}
