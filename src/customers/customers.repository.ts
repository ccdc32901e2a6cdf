// All SQL of the customers module.
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { CustomersTable } from '../db/schema.ts';

export type CustomerRow = Selectable<CustomersTable>;

// Lookups answer whole rows: the guest found is usually the one the caller goes on with (one query, not two).

export async function findByPhone(db: Db, phone: string): Promise<CustomerRow[]> {
  return db.selectFrom('customers').selectAll().where('mobile_phone', '=', phone).execute();
}

export async function findByDiscountCard(db: Db, number: string): Promise<CustomerRow[]> {
  return db.selectFrom('customers').selectAll().where('discount_card', '=', number).execute();
}

export async function findByCustomField(db: Db, field: string, value: string): Promise<CustomerRow[]> {
  return db
    .selectFrom('customers')
    .selectAll()
    .where((eb) => eb(eb.fn('jsonb_extract_path_text', ['custom_fields', eb.val(field)]), '=', value))
    .limit(2)
    .execute();
}

export async function getCustomer(db: Db, id: number): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getCustomers(db: Db, ids: number[]): Promise<CustomerRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('customers').selectAll().where('id', 'in', ids).execute();
}

export async function findByPendingPhone(db: Db, phone: string): Promise<CustomerRow[]> {
  return db.selectFrom('customers').selectAll().where('pending_mobile_phone', '=', phone).execute();
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

export interface CustomerSearch {
  /** normalised phone: the guest's phone or the phone waiting for confirmation */
  phone?: string;
  discountCard?: string;
  /** lower-case prefixes of the last and/or first name */
  lastNamePrefix?: string;
  firstNamePrefix?: string;
  /** keyset: guests with a smaller id (the list is newest first) */
  beforeId?: number;
  limit: number;
}

const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Guests matching every given criterion, newest first; each criterion uses an index (phone, card, name prefix). */
export async function searchCustomers(db: Db, search: CustomerSearch): Promise<CustomerRow[]> {
  let query = db.selectFrom('customers').selectAll().orderBy('id', 'desc').limit(search.limit);
  if (search.phone) {
    const phone = search.phone;
    query = query.where((eb) => eb.or([eb('mobile_phone', '=', phone), eb('pending_mobile_phone', '=', phone)]));
  }
  if (search.discountCard) query = query.where('discount_card', '=', search.discountCard);
  if (search.lastNamePrefix) query = query.where(sql`lower(last_name)`, 'like', likePrefix(search.lastNamePrefix));
  if (search.firstNamePrefix) query = query.where(sql`lower(first_name)`, 'like', likePrefix(search.firstNamePrefix));
  if (search.beforeId) query = query.where('id', '<', search.beforeId);
  return query.execute();
}

/** New guests per local day in [from, to) (grouped by position: the time zone is a parameter). */
export async function newCustomersPerDay(db: Db, from: Date, to: Date, timeZone: string): Promise<{ day: string; count: number }[]> {
  const day = sql<string>`to_char((created_at at time zone ${timeZone})::date, 'YYYY-MM-DD')`;
  return db
    .selectFrom('customers')
    .select([day.as('day'), (eb) => eb.fn.countAll<number>().as('count')])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
}

export async function countCustomersBefore(db: Db, before: Date): Promise<number> {
  const row = await db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('count')).where('created_at', '<', before).executeTakeFirstOrThrow();
  return Number(row.count);
}

/** How many guests hold each value of a custom field (null: no value). */
export async function customFieldDistribution(db: Db, field: string): Promise<{ value: string | null; count: number }[]> {
  const value = sql<string | null>`custom_fields ->> ${field}`;
  return db
    .selectFrom('customers')
    .select([value.as('value'), (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy(sql`1`)
    .orderBy('count', 'desc')
    .execute();
}

/** Guests changed at or after `since`, oldest change first, by the index on updated_at. */
export async function changedSince(db: Db, since: Date, limit: number): Promise<{ id: number; updated_at: Date }[]> {
  return db.selectFrom('customers').select(['id', 'updated_at']).where('updated_at', '>=', since).orderBy('updated_at').limit(limit).execute();
}
