import { sql, type Kysely } from 'kysely';

// SMS campaigns to segments (decision 0020). A message is `transactional` (codes: they go regardless of consent,
// at any hour, first) or `marketing` (only to guests who agreed, within the project's hours, under the frequency
// cap, at the connection's rate): the marketing sender walks the queued marketing messages, and the cap counts a
// guest's marketing messages of the last 7 days. A campaign's audience is one row per guest, unique, written when
// the audience is resolved; a row moves from pending to messaged (with its message) or skipped (with the reason)
// in the transaction that writes its message, so no guest gets a campaign twice; the messages of a campaign have
// `campaign:<id>` as their source.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('kind', 'text', (c) => c.notNull().defaultTo('transactional')).execute();
  await sql`create index messages_marketing_waiting on messages (created_at, id) where kind = 'marketing' and status in ('queued', 'sending')`.execute(db);
  await sql`create index messages_marketing_customer on messages (customer_id, created_at) where kind = 'marketing'`.execute(db);
  // a campaign's messages are those whose source is `campaign:<id>`: its progress is counted from them
  await sql`create index messages_marketing_source on messages (source, status) where kind = 'marketing'`.execute(db);

  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('segments', sql`text[]`, (c) => c.notNull())
    .addColumn('exclude_segments', sql`text[]`, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('send_at', 'timestamptz')
    // what the marketer saw before sending: the audience and who of it would not get the SMS and why, the SMS
    // parts of the text as a sample of the audience reads it, and the cost
    .addColumn('estimate', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz')
    // the last guest id whose row is written: resolving the audience goes on from there after a restart
    .addColumn('resolved_through', 'bigint')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('cancelled_by', 'text')
    .execute();
  await sql`create index campaigns_active on campaigns (id) where status in ('scheduled', 'sending')`.execute(db);
  await db.schema.createIndex('campaigns_created').on('campaigns').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('campaign_recipients')
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('customer_id', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('skip_reason', 'text')
    .addColumn('message_id', 'uuid')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_recipients_pkey', ['campaign_id', 'customer_id'])
    .execute();
  await sql`create index campaign_recipients_pending on campaign_recipients (campaign_id, customer_id) where status = 'pending'`.execute(db);
}
