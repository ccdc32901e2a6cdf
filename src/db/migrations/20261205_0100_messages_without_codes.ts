import { sql, type Kysely } from 'kysely';

// An SMS log never shows a one-time code (decision 0101): `text_encrypted` becomes the text as shown, with the
// codes masked, and the text that goes to the gateway waits in `outgoing_text_encrypted` only until the
// message leaves (sent or failed). Messages stored before held the whole text in one column: those still to
// be sent keep it as their outgoing text; the shown text of every one of them is dropped, since it may hold a
// code that still works.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('outgoing_text_encrypted', 'text').execute();
  await sql`update messages set outgoing_text_encrypted = text_encrypted where status in ('queued', 'sending')`.execute(db);
  await sql`alter table messages alter column text_encrypted drop not null`.execute(db);
  await sql`update messages set text_encrypted = null`.execute(db);
}
