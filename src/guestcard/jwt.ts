// JSON Web Tokens signed with RS256 (RFC 7519, RFC 7518 §3.3) by node:crypto: the two Google Wallet needs (the
// save link and the service account's assertion) are signed, never verified, here (decision 0024).
import { sign, type KeyObject } from 'node:crypto';

const segment = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export function signJwt(claims: Record<string, unknown>, privateKey: KeyObject): string {
  const signingInput = `${segment({ alg: 'RS256', typ: 'JWT' })}.${segment(claims)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
}
