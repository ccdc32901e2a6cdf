// The admin token: the credential of scripts (`Authorization: Bearer …`, acting as an owner) and the way into the
// console of an installation without users. Stored as a SHA-256 hash; rotated and revoked with
// `regulars admin-token`, or by setting a new REGULARS_ADMIN_TOKEN. A console session opened with a token ends
// when that token is revoked (decision 0502).
import { ConfigError } from '../config.ts';
import type { Db } from '../db/database.ts';
import { inTransaction } from '../db/database.ts';
import * as repository from './admin-tokens.repository.ts';
import { generateSecret, hashSecret, secretMatchesHash } from './secrets.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id of the live admin token `token` is; null when it is none. */
export async function adminTokenIdOf(db: Db, token: string): Promise<string | null> {
  let matched: string | null = null;
  // every live hash is compared, in constant time, so the time taken does not tell how close a guess came
  for (const live of await repository.liveAdminTokens(db)) if (secretMatchesHash(token, live.token_hash)) matched = live.id;
  return matched;
}

export const isAdminTokenLive = repository.isAdminTokenLive;
export const listAdminTokens = repository.listAdminTokens;

export interface AdminTokenAtStart {
  /** generated now, on the first start without REGULARS_ADMIN_TOKEN: shown once, never stored */
  generated: string | null;
  /** live tokens the configured one replaced */
  revoked: number;
}

/**
 * The admin token at start. With REGULARS_ADMIN_TOKEN, that token is the one live token: a new value replaces
 * the others (ending their sessions), and a value that was revoked refuses the start. Without it, the first start
 * generates a token, and later starts change nothing, so a revoked token stays revoked.
 */
export async function startAdminToken(db: Db, configured: string | null): Promise<AdminTokenAtStart> {
  if (configured) {
    const hash = hashSecret(configured);
    if ((await repository.findAdminTokenByHash(db, hash))?.revoked_at) {
      throw new ConfigError('REGULARS_ADMIN_TOKEN holds an admin token that was revoked: set a new one, or remove the setting and use `regulars admin-token rotate`');
    }
    await repository.insertAdminToken(db, hash, 'from REGULARS_ADMIN_TOKEN');
    return { generated: null, revoked: await repository.revokeAdminTokens(db, { keepHash: hash }) };
  }
  if ((await repository.countAdminTokens(db)) > 0) return { generated: null, revoked: 0 };
  const token = generateSecret();
  await repository.insertAdminToken(db, hashSecret(token), 'generated on first start');
  return { generated: token, revoked: 0 };
}

/** A new admin token, shown once; every other token is revoked, and with it every session it opened. */
export async function rotateAdminToken(db: Db, label: string): Promise<string> {
  const token = generateSecret();
  await inTransaction(db, async (trx) => {
    await repository.insertAdminToken(trx, hashSecret(token), label);
    await repository.revokeAdminTokens(trx, { keepHash: hashSecret(token) });
  });
  return token;
}

/** Revokes one admin token (by its id) or, without an id, every one; returns how many were live. */
export async function revokeAdminTokens(db: Db, id?: string): Promise<number> {
  if (id !== undefined && !UUID.test(id)) return 0;
  return repository.revokeAdminTokens(db, { id });
}
