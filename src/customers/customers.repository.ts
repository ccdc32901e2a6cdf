// All SQL of the customers module.
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { CustomersTable } from '../db/schema.ts';

export type CustomerRow = Selectable<CustomersTable>;

export async function findIdsByPhone(db: Db, phone: string): Promise<number[]> {
  const rows = await db.selectFrom('customers').select('id').where('mobile_phone', '=', phone).execute();
  return rows.map((row) => row.id);
}

export async function findIdsByDiscountCard(db: Db, number: string): Promise<number[]> {
  const rows = await db.selectFrom('customers').select('id').where('discount_card', '=', number).execute();
  return rows.map((row) => row.id);
}

export async function findIdsByCustomField(db: Db, field: string, value: string): Promise<number[]> {
  const rows = await db
    .selectFrom('customers')
    .select('id')
    .where((eb) => eb(eb.fn('jsonb_extract_path_text', ['custom_fields', eb.val(field)]), '=', value))
    .limit(2)
    .execute();
  return rows.map((row) => row.id);
}

export async function getCustomer(db: Db, id: number): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findIdsByPendingPhone(db: Db, phone: string): Promise<number[]> {
  const rows = await db.selectFrom('customers').select('id').where('pending_mobile_phone', '=', phone).execute();
  return rows.map((row) => row.id);
}

export async function getCustomerForUpdate(db: Db, id: number): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function insertCustomer(db: Db, values: Insertable<CustomersTable>): Promise<CustomerRow> {
  return db.insertInto('customers').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateCustomer(db: Db, id: number, values: Updateable<CustomersTable>): Promise<CustomerRow> {
  return db.updateTable('customers').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Sets (or, with null, removes) one custom field without touching the others. */
export async function setCustomFieldValue(db: Db, id: number, field: string, value: unknown, now: Date): Promise<void> {
  await db
    .updateTable('customers')
    .set({
      custom_fields:
        value === null
          ? sql`custom_fields - ${field}::text`
          : sql`jsonb_set(custom_fields, ${sql.val([field])}::text[], ${JSON.stringify(value)}::jsonb, true)`,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}
