import { sql, type Kysely } from 'kysely';

// A guest is found by the phone waiting for confirmation too (console search, resend confirmation code).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('customers_pending_mobile_phone')
    .on('customers')
    .column('pending_mobile_phone')
    .where(sql.ref('pending_mobile_phone'), 'is not', null)
    .execute();
}
