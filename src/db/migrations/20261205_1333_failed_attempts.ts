import type { Kysely } from 'kysely';

// Failed attempts at a credential, counted in the database so that every process on one PostgreSQL counts the
// same failures (decision 0502): one counter per credential (an account, or the admin token or an SMS
// connection's report secret seen from an address) and one per address.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('failed_attempts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'timestamptz', (c) => c.notNull())
    .addColumn('blocked_until', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('failed_attempts_last_failure').on('failed_attempts').column('last_failure_at').execute();
}
