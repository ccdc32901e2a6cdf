// All SQL of admin users and their sessions.
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { AdminRole, AdminUsersTable } from '../db/schema.ts';

export type AdminUserRow = Selectable<AdminUsersTable>;

export async function insertUser(db: Db, user: { name: string; role: AdminRole; password_hash: string }): Promise<AdminUserRow> {
  return db.insertInto('admin_users').values(user).returningAll().executeTakeFirstOrThrow();
}

export async function findUserByName(db: Db, name: string): Promise<AdminUserRow | undefined> {
  return db.selectFrom('admin_users').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function listUsers(db: Db): Promise<AdminUserRow[]> {
  return db.selectFrom('admin_users').selectAll().orderBy('name').execute();
}

export async function updateUser(
  db: Db,
  name: string,
  values: Partial<{ role: AdminRole; password_hash: string; disabled_at: Date | null }>,
  now: Date,
): Promise<boolean> {
  const result = await db.updateTable('admin_users').set({ ...values, updated_at: now }).where('name', '=', name).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export type NewSession = {
  id_hash: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  user_agent: string | null;
} & ({ user_id: number; user_generation: number; admin_token_id: null } | { user_id: null; user_generation: null; admin_token_id: string });

export async function insertSession(db: Db, session: NewSession): Promise<void> {
  await db.insertInto('admin_sessions').values(session).execute();
}

export interface SessionWithUser {
  id_hash: string;
  user_id: number | null;
  user_generation: number | null;
  admin_token_id: string | null;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
  name: string | null;
  role: AdminRole | null;
  disabled_at: Date | null;
  session_generation: number | null;
}

export async function findSession(db: Db, idHash: string): Promise<SessionWithUser | undefined> {
  return db
    .selectFrom('admin_sessions as s')
    .leftJoin('admin_users as u', 'u.id', 's.user_id')
    .select(['s.id_hash', 's.user_id', 's.user_generation', 's.admin_token_id', 's.created_at', 's.expires_at', 's.last_seen_at', 'u.name', 'u.role', 'u.disabled_at', 'u.session_generation'])
    .where('s.id_hash', '=', idHash)
    .executeTakeFirst();
}

export async function touchSession(db: Db, idHash: string, lastSeenAt: Date, expiresAt: Date): Promise<void> {
  await db.updateTable('admin_sessions').set({ last_seen_at: lastSeenAt, expires_at: expiresAt }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('admin_sessions').where('id_hash', '=', idHash).execute();
}

/**
 * Ends every session of a user: the open ones are deleted, and the user's session generation moves on, so a
 * session a sign-in under way opens with the old one is refused at its first use.
 */
export async function endSessionsOfUser(db: Db, userId: number): Promise<void> {
  await db.updateTable('admin_users').set((eb) => ({ session_generation: eb('session_generation', '+', 1) })).where('id', '=', userId).execute();
  await db.deleteFrom('admin_sessions').where('user_id', '=', userId).execute();
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
  const result = await db.deleteFrom('admin_sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
