// The clear-text template parameters of a code mailing (the code itself) and the number it goes to,
// sealed for the trip through the outbox: the event payload holds only ciphertext.
import type { SecretBox } from '../shared/secret-box.ts';

export interface MailingSecrets {
  /** Recipient parameters that exist only for this message, e.g. `{ AuthentificationCode: '1234' }` */
  parameters: Record<string, string>;
  /** the number the code was issued for (a pending phone, for a phone change) */
  to: string;
  /** ISO time after which sending the message is pointless (the code's expiry) */
  validUntil: string;
}

export function sealMailingSecrets(box: SecretBox, secrets: MailingSecrets): string {
  return box.seal(JSON.stringify(secrets));
}

export function openMailingSecrets(box: SecretBox, sealed: string): MailingSecrets {
  return JSON.parse(box.open(sealed)) as MailingSecrets;
}
