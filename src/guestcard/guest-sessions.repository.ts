// SQL of the card page's guest sessions.
import type { Db } from '../db/database.ts';

export async function insertSession(db: Db, session: { idHash: string; customerId: number; createdAt: Date; expiresAt: Date }): Promise<void> {
  await db.insertInto('guest_sessions').values({ id_hash: session.idHash, customer_id: session.customerId, created_at: session.createdAt, expires_at: session.expiresAt }).execute();
}

export async function liveSession(db: Db, idHash: string, now: Date): Promise<{ customer_id: number } | undefined> {
  return db.selectFrom('guest_sessions').select('customer_id').where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('guest_sessions').where('id_hash', '=', idHash).execute();
}

/** Deletes at most `limit` sessions that expired before `now`, the longest expired first. */
export async function deleteExpiredSessions(db: Db, now: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('guest_sessions')
    .where('id_hash', 'in', db.selectFrom('guest_sessions').select('id_hash').where('expires_at', '<=', now).orderBy('expires_at').limit(limit))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
