// Where this process's encryption key comes from (decision 0006): REGULARS_ENCRYPTION_KEY, or the key file
// beside the data (created on the first start, readable by its owner only). The database keeps only the key's
// fingerprint, so a process started with another key (a second host without the file, a lost file) refuses
// to start instead of sealing new secrets that the others cannot open.
//
// Upgrade: servers before 0.2 kept the key in the database (`server_secrets.secret-box`). Such a key becomes
// the key file; when a key is configured instead, what was sealed under the old one is sealed again under the
// new one. Either way the old key leaves the database.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { inTransaction } from '../db/database.ts';
import { MASTER_KEY_BYTES, SecretBox } from './secret-box.ts';
import { deleteServerSecret, insertServerSecretOnce, readServerSecret } from './server-secrets.repository.ts';

const LEGACY_KEY = 'secret-box';
const FINGERPRINT = 'secret-box-fingerprint';

export interface KeySource {
  /** REGULARS_ENCRYPTION_KEY, decoded */
  key: Buffer | null;
  /** the key file; null for a throw-away database (memory://) without a configured key */
  keyFile: string | null;
}

export class EncryptionKeyError extends Error {}

export function decodeMasterKey(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== MASTER_KEY_BYTES)
    throw new EncryptionKeyError(`${where} must hold ${MASTER_KEY_BYTES} random bytes in base64 (e.g. the output of: openssl rand -base64 32)`);
  return key;
}

function readKeyFile(path: string): Buffer | null {
  if (!existsSync(path)) return null;
  return decodeMasterKey(readFileSync(path, 'utf8'), `the key file ${path}`);
}

/** Writes the key file unless another process wrote it first; returns the key the file holds. */
function writeKeyFile(path: string, key: Buffer): Buffer {
  mkdirSync(dirname(path), { recursive: true });
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(path)!;
    throw error;
  }
  try {
    writeSync(fd, `${key.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return key;
}

/** Opens this process's secret box, moving a key kept in the database by an older version out of it. */
export async function openSecretBox(db: Db, source: KeySource): Promise<SecretBox> {
  const legacyText = await readServerSecret(db, LEGACY_KEY);
  const legacy = legacyText ? decodeMasterKey(legacyText, 'the stored key') : null;
  const fingerprint = await readServerSecret(db, FINGERPRINT);
  let key = source.key ?? (source.keyFile ? readKeyFile(source.keyFile) : null);
  if (!key && fingerprint && !legacy) {
    throw new EncryptionKeyError(
      `this database's secrets were sealed with a key this process does not have (fingerprint ${fingerprint}): ` +
        `copy the key file of the first server to ${source.keyFile ?? 'REGULARS_KEY_FILE'}, or set REGULARS_ENCRYPTION_KEY`,
    );
  }
  if (!key) {
    const chosen = legacy ?? randomBytes(MASTER_KEY_BYTES);
    key = source.keyFile ? writeKeyFile(source.keyFile, chosen) : chosen;
  }
  const box = new SecretBox(key);
  if (fingerprint && fingerprint !== box.fingerprint)
    throw new EncryptionKeyError(
      `the encryption key (fingerprint ${box.fingerprint}) is not the one this database's secrets were sealed with (${fingerprint}): ` +
        'use the key file of the first server, or its REGULARS_ENCRYPTION_KEY',
    );
  if (legacy) await retireLegacyKey(db, new SecretBox(legacy), box);
  if (!fingerprint) await insertServerSecretOnce(db, FINGERPRINT, box.fingerprint);
  return box;
}

/** Seals again, under the new key, what the old key sealed (SMS texts, codes waiting in the outbox), then forgets the old key. */
async function retireLegacyKey(db: Db, legacy: SecretBox, box: SecretBox): Promise<void> {
  await inTransaction(db, async (trx) => {
    if (!(await readServerSecret(trx, LEGACY_KEY, { forUpdate: true }))) return;
    if (legacy.fingerprint !== box.fingerprint) {
      const reseal = (sealed: string) => box.seal(legacy.open(sealed));
      const kept = await trx.selectFrom('messages').select(['id', 'outgoing_text_encrypted']).where('outgoing_text_encrypted', 'is not', null).execute();
      for (const row of kept)
        await trx.updateTable('messages').set({ outgoing_text_encrypted: reseal(row.outgoing_text_encrypted!) }).where('id', '=', row.id).execute();
      const pending = await trx
        .selectFrom('outbox')
        .select(['id', 'payload'])
        .where('status', '=', 'pending')
        .where(sql<boolean>`payload->'data'->>'secrets' is not null`)
        .execute();
      for (const row of pending) {
        const payload = row.payload as { data: { secrets: string } };
        payload.data.secrets = reseal(payload.data.secrets);
        await trx.updateTable('outbox').set({ payload: JSON.stringify(payload) }).where('id', '=', row.id).execute();
      }
    }
    await deleteServerSecret(trx, LEGACY_KEY);
  });
}

/** The fingerprint of the key the database's secrets are sealed with, as the database keeps it; null before the first start. */
export async function storedKeyFingerprint(db: Db): Promise<string | null> {
  return (await readServerSecret(db, FINGERPRINT)) ?? null;
}

/** The fingerprint of the key a process with this configuration would use; null when it has none (no key file yet). */
export function configuredKeyFingerprint(source: KeySource): string | null {
  const key = source.key ?? (source.keyFile ? readKeyFile(source.keyFile) : null);
  return key ? new SecretBox(key).fingerprint : null;
}
