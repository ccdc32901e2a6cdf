// SQL of the Google Wallet loyalty objects of the guests' cards.
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { GoogleWalletObjectsTable } from '../db/schema.ts';

export type GoogleObjectRow = Selectable<GoogleWalletObjectsTable>;

export async function objectOfCustomer(db: Db, customerId: number): Promise<GoogleObjectRow | undefined> {
  return db.selectFrom('google_wallet_objects').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
}

export async function objectById(db: Db, objectId: string): Promise<GoogleObjectRow | undefined> {
  return db.selectFrom('google_wallet_objects').selectAll().where('object_id', '=', objectId).executeTakeFirst();
}

/** A new object, or the one another request made a moment earlier. */
export async function insertObject(db: Db, object: { objectId: string; customerId: number; fingerprint: string; now: Date }): Promise<GoogleObjectRow> {
  await db
    .insertInto('google_wallet_objects')
    .values({ object_id: object.objectId, customer_id: object.customerId, fingerprint: object.fingerprint, updated_at: object.now, created_at: object.now })
    .onConflict((oc) => oc.column('customer_id').doNothing())
    .execute();
  return (await objectOfCustomer(db, object.customerId))!;
}

export async function objectsOfCustomers(db: Db, customerIds: number[]): Promise<GoogleObjectRow[]> {
  if (customerIds.length === 0) return [];
  return db.selectFrom('google_wallet_objects').selectAll().where('customer_id', 'in', customerIds).execute();
}

export async function markObjectChanged(db: Db, objectId: string, fingerprint: string, now: Date): Promise<void> {
  await db.updateTable('google_wallet_objects').set({ fingerprint, updated_at: now }).where('object_id', '=', objectId).execute();
}

/** Guests who took the save link. */
export async function countHolders(db: Db): Promise<number> {
  const row = await db.selectFrom('google_wallet_objects').select((eb) => eb.fn.countAll<string>().as('holders')).executeTakeFirstOrThrow();
  return Number(row.holders);
}
