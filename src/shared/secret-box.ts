// Encrypts short secrets that must travel or rest somewhere other than their hash: a one-time code on its
// way from the operation to the SMS template (in the outbox payload), and SMS texts at rest. AES-256-GCM
// with a key derived (HKDF-SHA256) from a random server secret that is generated on first use.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { insertServerSecretOnce, readServerSecret } from './server-secrets.repository.ts';

const SECRET_NAME = 'secret-box';
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const derivedKeys = new Map<string, Buffer>();

async function keyOf(db: Db): Promise<Buffer> {
  const secret = (await readServerSecret(db, SECRET_NAME)) ?? (await insertServerSecretOnce(db, SECRET_NAME, randomBytes(32).toString('base64')));
  let key = derivedKeys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'base64'), Buffer.alloc(0), 'regulars secret box v1', 32));
    derivedKeys.set(secret, key);
  }
  return key;
}

export async function encryptSecret(db: Db, plaintext: string): Promise<string> {
  const key = await keyOf(db);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

/** Throws when the text was not made by `encryptSecret` with this server's key (tampered or foreign). */
export async function decryptSecret(db: Db, sealed: string): Promise<string> {
  const [version, payload] = sealed.split(':');
  if (version !== VERSION || !payload) throw new Error('not a sealed secret of this server');
  const raw = Buffer.from(payload, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', await keyOf(db), raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}
