// All SQL of the admin tokens: kept as SHA-256 hashes, revoked rather than deleted (a revoked token must not be
// taken again, from the environment or otherwise).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface AdminTokenRow {
  id: string;
  label: string;
  created_at: Date;
  revoked_at: Date | null;
}

/** Stores a token's hash (nothing when that hash is stored already, by a process starting at the same time). */
export async function insertAdminToken(db: Db, tokenHash: string, label: string): Promise<void> {
  await db
    .insertInto('admin_tokens')
    .values({ id: randomUUID(), token_hash: tokenHash, label })
    .onConflict((oc) => oc.column('token_hash').doNothing())
    .execute();
}

export async function liveAdminTokens(db: Db): Promise<{ id: string; token_hash: string }[]> {
  return db.selectFrom('admin_tokens').select(['id', 'token_hash']).where('revoked_at', 'is', null).execute();
}

export async function findAdminTokenByHash(db: Db, tokenHash: string): Promise<{ id: string; revoked_at: Date | null } | undefined> {
  return db.selectFrom('admin_tokens').select(['id', 'revoked_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function isAdminTokenLive(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom('admin_tokens').select('id').where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst()) !== undefined;
}

export async function countAdminTokens(db: Db): Promise<number> {
  const row = await db.selectFrom('admin_tokens').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function listAdminTokens(db: Db): Promise<AdminTokenRow[]> {
  return db.selectFrom('admin_tokens').select(['id', 'label', 'created_at', 'revoked_at']).orderBy('created_at').execute();
}

/** Revokes the live tokens (all of them, or the one with `id`) but the one with `keepHash`; returns how many. */
export async function revokeAdminTokens(db: Db, which: { id?: string; keepHash?: string }): Promise<number> {
  let query = db.updateTable('admin_tokens').set({ revoked_at: sql`now()` }).where('revoked_at', 'is', null);
  if (which.id !== undefined) query = query.where('id', '=', which.id);
  if (which.keepHash !== undefined) query = query.where('token_hash', '<>', which.keepHash);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
