import { sql, type Kysely } from 'kysely';

// The operation log stores each call's request and answer as written (json), not parsed into jsonb:
// nothing queries inside them, and parsing some 30 KB per call cost the server more than the call itself.
export async function up(db: Kysely<any>): Promise<void> {
  for (const column of ['request', 'response', 'notes']) {
    await sql`alter table operation_log alter column ${sql.ref(column)} type json using ${sql.ref(column)}::json`.execute(db);
  }
}
