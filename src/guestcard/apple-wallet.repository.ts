// SQL of the Apple Wallet passes and their registrations.
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ApplePassesTable } from '../db/schema.ts';

export type ApplePassRow = Selectable<ApplePassesTable>;

export async function passOfCustomer(db: Db, customerId: number): Promise<ApplePassRow | undefined> {
  return db.selectFrom('apple_passes').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
}

export async function passBySerial(db: Db, serialNumber: string): Promise<ApplePassRow | undefined> {
  return db.selectFrom('apple_passes').selectAll().where('serial_number', '=', serialNumber).executeTakeFirst();
}

/** A new pass, or the one another request made a moment earlier. */
export async function insertPass(db: Db, pass: { serialNumber: string; customerId: number; fingerprint: string; now: Date }): Promise<ApplePassRow> {
  await db
    .insertInto('apple_passes')
    .values({ serial_number: pass.serialNumber, customer_id: pass.customerId, fingerprint: pass.fingerprint, updated_at: pass.now, created_at: pass.now })
    .onConflict((oc) => oc.column('customer_id').doNothing())
    .execute();
  return (await passOfCustomer(db, pass.customerId))!;
}

export async function markPassChanged(db: Db, serialNumber: string, fingerprint: string, now: Date): Promise<void> {
  await db.updateTable('apple_passes').set({ fingerprint, updated_at: now }).where('serial_number', '=', serialNumber).execute();
}

export async function passesOfCustomers(db: Db, customerIds: number[]): Promise<ApplePassRow[]> {
  if (customerIds.length === 0) return [];
  return db.selectFrom('apple_passes').selectAll().where('customer_id', 'in', customerIds).execute();
}

/** Registers a device for a pass; false when it was registered already. */
export async function register(db: Db, registration: { deviceLibraryId: string; serialNumber: string; pushToken: string; now: Date }): Promise<boolean> {
  const existing = await db
    .updateTable('apple_pass_registrations')
    .set({ push_token: registration.pushToken })
    .where('device_library_id', '=', registration.deviceLibraryId)
    .where('serial_number', '=', registration.serialNumber)
    .executeTakeFirst();
  if (Number(existing.numUpdatedRows) > 0) return false;
  const inserted = await db
    .insertInto('apple_pass_registrations')
    .values({ device_library_id: registration.deviceLibraryId, serial_number: registration.serialNumber, push_token: registration.pushToken, created_at: registration.now })
    .onConflict((oc) => oc.columns(['device_library_id', 'serial_number']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function unregister(db: Db, deviceLibraryId: string, serialNumber: string): Promise<void> {
  await db.deleteFrom('apple_pass_registrations').where('device_library_id', '=', deviceLibraryId).where('serial_number', '=', serialNumber).execute();
}

export async function forgetPushToken(db: Db, pushToken: string): Promise<void> {
  await db.deleteFrom('apple_pass_registrations').where('push_token', '=', pushToken).execute();
}

/** The passes a device registered that changed after `since` (all of them without it). */
export async function passesOfDevice(db: Db, deviceLibraryId: string, since: Date | null): Promise<{ serial_number: string; updated_at: Date }[]> {
  let query = db
    .selectFrom('apple_pass_registrations as r')
    .innerJoin('apple_passes as p', 'p.serial_number', 'r.serial_number')
    .select(['p.serial_number', 'p.updated_at'])
    .where('r.device_library_id', '=', deviceLibraryId);
  if (since) query = query.where('p.updated_at', '>', since);
  return query.execute();
}

export async function pushTokensOf(db: Db, serialNumber: string): Promise<string[]> {
  const rows = await db.selectFrom('apple_pass_registrations').select('push_token').where('serial_number', '=', serialNumber).execute();
  return [...new Set(rows.map((row) => row.push_token))];
}

/** Guests whose pass some device holds (registered for updates). */
export async function countHolders(db: Db): Promise<number> {
  const row = await db.selectFrom('apple_pass_registrations').select((eb) => eb.fn.count<string>('serial_number').distinct().as('holders')).executeTakeFirstOrThrow();
  return Number(row.holders);
}
