// One-time codes: random digits from the CSPRNG, kept only as an HMAC-SHA256 with a salt of their own,
// compared in constant time. The first digit is never 0, so a code sent back as a JSON number still matches.
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export type CodePurpose = 'confirmation' | 'authorization';

export function generateCode(length: number): string {
  let code = String(randomInt(1, 10));
  while (code.length < length) code += String(randomInt(0, 10));
  return code;
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

/** The hash binds the code to its guest and purpose: a confirmation code never passes as an authorization code. */
export function hashCode(code: string, salt: string, binding: { customerId: number; purpose: CodePurpose }): string {
  return createHmac('sha256', Buffer.from(salt, 'hex')).update(`${binding.purpose}:${binding.customerId}:${code}`).digest('hex');
}

export function codeMatches(typed: string, stored: { hash: string; salt: string }, binding: { customerId: number; purpose: CodePurpose }): boolean {
  const actual = Buffer.from(hashCode(typed, stored.salt, binding), 'hex');
  const expected = Buffer.from(stored.hash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** What a guest or cashier typed, as the code text: digits only, surrounding spaces ignored; null when it cannot be a code. */
export function typedCode(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return /^\d{1,16}$/.test(text) ? text : null;
}
