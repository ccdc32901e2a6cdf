// Encrypts what must rest or travel somewhere other than as a hash: a one-time code on its way from the
// operation to the SMS template (in the outbox payload), SMS texts at rest, gateway and webhook credentials
// of the project. AES-256-GCM with a key derived (HKDF-SHA256) from a 32-byte master key that is NOT kept in
// the database: it comes from REGULARS_ENCRYPTION_KEY or a key file beside the data (decision 0006), so a
// copy of the database alone (a dump, a backup, a read replica) opens none of it.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const MASTER_KEY_BYTES = 32;

export class SecretBox {
  private readonly key: Buffer;
  private readonly macKey: Buffer;
  /** names the master key without revealing it: stored in the database to notice a process started with another key */
  readonly fingerprint: string;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== MASTER_KEY_BYTES) throw new Error(`the encryption key must be ${MASTER_KEY_BYTES} bytes`);
    this.key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'regulars secret box v1', 32));
    this.macKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'regulars mac v1', 32));
    this.fingerprint = createHmac('sha256', masterKey).update('regulars key fingerprint v1').digest('hex').slice(0, 16);
  }

  /** A box with a random key, for a throw-away database (tests, memory://). */
  static random(): SecretBox {
    return new SecretBox(randomBytes(MASTER_KEY_BYTES));
  }

  /** A token only this key makes from `label`, so it needs no storage (a Wallet pass's authentication token). */
  mac(label: string): string {
    return createHmac('sha256', this.macKey).update(label).digest('base64url');
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** Throws when the text was not sealed by a box with this key (tampered, or sealed under another key). */
  open(sealed: string): string {
    const [version, payload] = sealed.split(':');
    if (version !== VERSION || !payload) throw new Error('not a sealed secret of this server');
    const raw = Buffer.from(payload, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
