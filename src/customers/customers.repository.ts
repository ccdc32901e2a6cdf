// All SQL of the customers module.
import type { Selectable } from 'kysely';
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
