// The clear-text template parameters of a code mailing (the code itself) and the number it goes to,
// sealed for the trip through the outbox: the event payload holds only ciphertext.
import type { Db } from '../db/database.ts';
import { decryptSecret, encryptSecret } from '../shared/secret-box.ts';

export interface MailingSecrets {
  /** Recipient parameters that exist only for this message, e.g. `{ AuthentificationCode: '1234' }` */
  parameters: Record<string, string>;
  /** the number the code was issued for (a pending phone, for a phone change) */
  to: string;
  /** ISO time after which sending the message is pointless (the code's expiry) */
  validUntil: string;
}

export async function sealMailingSecrets(db: Db, secrets: MailingSecrets): Promise<string> {
  return encryptSecret(db, JSON.stringify(secrets));
}

export async function openMailingSecrets(db: Db, sealed: string): Promise<MailingSecrets> {
  return JSON.parse(await decryptSecret(db, sealed)) as MailingSecrets;
}
