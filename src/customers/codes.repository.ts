// SQL of one-time codes.
import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { CustomerCodesTable } from '../db/schema.ts';
import type { CodePurpose } from './codes.ts';

export type CodeRow = Selectable<CustomerCodesTable>;

/** Serialises code issuing per phone across transactions and processes (the rate limit reads, then writes). */
export async function lockPhoneForCodes(db: Db, phone: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`customer-codes:${phone}`}))`.execute(db);
}

export async function codesSentToPhoneSince(db: Db, phone: string, since: Date): Promise<{ count: number; last: Date | null; oldest: Date | null }> {
  const row = await db
    .selectFrom('customer_codes')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('created_at').as('last'), eb.fn.min('created_at').as('oldest')])
    .where('phone', '=', phone)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), last: row.last ? new Date(row.last) : null, oldest: row.oldest ? new Date(row.oldest) : null };
}

export async function lastCodeToPhone(db: Db, phone: string, purpose: CodePurpose): Promise<Date | null> {
  const row = await db
    .selectFrom('customer_codes')
    .select((eb) => eb.fn.max('created_at').as('last'))
    .where('phone', '=', phone)
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  return row?.last ? new Date(row.last) : null;
}

export async function replaceActiveCodes(db: Db, customerId: number, purpose: CodePurpose, now: Date): Promise<void> {
  await db
    .updateTable('customer_codes')
    .set({ status: 'replaced', closed_at: now })
    .where('customer_id', '=', customerId)
    .where('purpose', '=', purpose)
    .where('status', '=', 'active')
    .execute();
}

export async function insertCode(
  db: Db,
  code: { customerId: number; purpose: CodePurpose; phone: string; hash: string; salt: string; operation: string | null; createdAt: Date; expiresAt: Date },
): Promise<number> {
  const row = await db
    .insertInto('customer_codes')
    .values({
      customer_id: code.customerId,
      purpose: code.purpose,
      phone: code.phone,
      code_hash: code.hash,
      salt: code.salt,
      operation: code.operation,
      created_at: code.createdAt,
      expires_at: code.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The guest's newest code of a purpose, locked: concurrent checks of one code take turns. */
export async function latestCodeForUpdate(db: Db, customerId: number, purpose: CodePurpose): Promise<CodeRow | undefined> {
  return db
    .selectFrom('customer_codes')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('purpose', '=', purpose)
    .orderBy('id', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

export async function recordWrongAttempt(db: Db, id: number, voidNow: boolean, now: Date): Promise<void> {
  await db
    .updateTable('customer_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), ...(voidNow ? { status: 'void' as const, closed_at: now } : {}) }))
    .where('id', '=', id)
    .execute();
}

export async function closeCode(db: Db, id: number, status: 'used' | 'void', now: Date): Promise<void> {
  await db.updateTable('customer_codes').set({ status, closed_at: now }).where('id', '=', id).execute();
}

/** Deletes at most `limit` codes that expired before `expiredBefore` and were issued before `issuedBefore`, the longest expired first. */
export async function deleteCodesExpiredBefore(db: Db, expiredBefore: Date, issuedBefore: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('customer_codes')
    .where(
      'id',
      'in',
      db
        .selectFrom('customer_codes')
        .select('id')
        .where('expires_at', '<', expiredBefore)
        .where('created_at', '<', issuedBefore)
        .orderBy('expires_at')
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
