import { sql, type Kysely } from 'kysely';

// A console session is bound to the credential that opened it (decision 0502). A user's session remembers the
// user's `session_generation`, which moves on when the password changes or the user is disabled; a session opened
// with the admin token names that token, and ends when it is revoked. Sessions opened with the admin token before
// name no token: they end, and the token signs in again.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('admin_users').addColumn('session_generation', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('admin_sessions').addColumn('user_generation', 'integer').execute();
  await db.schema.alterTable('admin_sessions').addColumn('admin_token_id', 'uuid', (c) => c.references('admin_tokens.id').onDelete('cascade')).execute();
  await sql`delete from admin_sessions where user_id is null`.execute(db);
  await sql`update admin_sessions set user_generation = 1`.execute(db);
  await sql`
    alter table admin_sessions add constraint admin_sessions_credential check (
      (user_id is not null and user_generation is not null and admin_token_id is null)
      or (user_id is null and user_generation is null and admin_token_id is not null)
    )
  `.execute(db);
  await db.schema.createIndex('admin_sessions_admin_token').on('admin_sessions').column('admin_token_id').execute();
}
