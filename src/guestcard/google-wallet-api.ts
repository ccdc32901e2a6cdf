// Google Wallet's REST API for loyalty objects, with an OAuth 2 access token of the service account: a JWT
// assertion exchanged at the token URL (the JWT-bearer grant, RFC 7523), kept until a few minutes before it
// expires. An object is replaced whole (PUT), so a field the card no longer shows is cleared; one Google does
// not have yet (the guest has not saved the card, or is saving it now) is inserted with the same content, so it
// is right whenever the guest saves it. REGULARS_GOOGLE_WALLET_API_URL and _TOKEN_URL may point at a relay
// (tests: a double).
import type { GoogleSigner, LoyaltyObject } from './google-pass.ts';
import { signJwt } from './jwt.ts';

const SCOPE = 'https://www.googleapis.com/auth/wallet_object.issuer';
const REQUEST_TIMEOUT_MS = 10_000;
/** a token is renewed this long before Google says it expires */
const TOKEN_MARGIN_MS = 5 * 60_000;
const ASSERTION_LIFETIME_S = 3600;

/** `retry`: another attempt may succeed (a timeout, a 5xx, a 429); otherwise only an operator can help. */
export type SaveOutcome = { ok: true } | { ok: false; retry: boolean; reason: string };
type Answer = { status: number; body: unknown } | { status: null; reason: string };

async function request(method: string, url: string, headers: Record<string, string>, body: string): Promise<Answer> {
  try {
    const response = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: the status says enough
    }
    return { status: response.status, body: parsed };
  } catch (error) {
    const cause = (error as { cause?: Error }).cause;
    return { status: null, reason: (error as Error).name === 'TimeoutError' ? `no answer in ${REQUEST_TIMEOUT_MS / 1000} s` : `${(error as Error).message}${cause ? `: ${cause.message}` : ''}` };
  }
}

const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

/** Google's own words about a refusal, short: `{ error: { message } }` from the API, `{ error, error_description }` from the token URL. */
function refusal(answer: { status: number; body: unknown }): string {
  const body = (answer.body ?? {}) as { error?: string | { message?: unknown }; error_description?: unknown };
  const words = typeof body.error === 'string' ? [body.error, body.error_description].filter((part) => typeof part === 'string').join(': ') : body.error?.message;
  return `HTTP ${answer.status}${typeof words === 'string' && words ? ` (${words.slice(0, 300)})` : ''}`;
}

export class GoogleWalletApi {
  private token: { value: string; renewAt: number } | null = null;
  private pending: Promise<{ token: string } | { retry: boolean; reason: string }> | null = null;

  constructor(private readonly signer: GoogleSigner) {}

  private async newToken(now: Date): Promise<{ token: string } | { retry: boolean; reason: string }> {
    const { tokenUrl } = this.signer.config;
    const iat = Math.floor(now.getTime() / 1000);
    const assertion = signJwt({ iss: this.signer.serviceAccount, scope: SCOPE, aud: tokenUrl, iat, exp: iat + ASSERTION_LIFETIME_S }, this.signer.privateKey);
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString();
    const answer = await request('POST', tokenUrl, { 'content-type': 'application/x-www-form-urlencoded' }, form);
    if (answer.status === null) return { retry: true, reason: `token ${tokenUrl}: ${answer.reason}` };
    const body = answer.body as { access_token?: unknown; expires_in?: unknown } | null;
    if (answer.status !== 200 || typeof body?.access_token !== 'string') {
      return { retry: retryable(answer.status), reason: `the token URL ${tokenUrl} refused the service account ${this.signer.serviceAccount}: ${refusal(answer)}` };
    }
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : ASSERTION_LIFETIME_S) * 1000;
    this.token = { value: body.access_token, renewAt: now.getTime() + lifetimeMs - TOKEN_MARGIN_MS };
    return { token: body.access_token };
  }

  /** The access token, asked for once by the calls that need it at the same time. */
  private async accessToken(now: Date): Promise<{ token: string } | { retry: boolean; reason: string }> {
    if (this.token && now.getTime() < this.token.renewAt) return { token: this.token.value };
    this.pending ??= this.newToken(now).finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** Replaces the object at Google, or inserts it when Google does not have it. */
  async saveObject(object: LoyaltyObject, now: Date): Promise<SaveOutcome> {
    const token = await this.accessToken(now);
    if (!('token' in token)) return { ok: false, ...token };
    const headers = { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' };
    const body = JSON.stringify(object);
    const objects = `${this.signer.config.apiUrl}/loyaltyObject`;
    const update = () => request('PUT', `${objects}/${encodeURIComponent(object.id)}`, headers, body);
    let answer = await update();
    let step = 'update';
    if (answer.status === 404) {
      step = 'insert';
      answer = await request('POST', objects, headers, body);
      // saved by the guest in between: it exists now
      if (answer.status === 409) {
        step = 'update after insert';
        answer = await update();
      }
    }
    if (answer.status === null) return { ok: false, retry: true, reason: `${objects}: ${answer.reason}` };
    if (answer.status === 200) return { ok: true };
    // a token Google no longer takes: the next attempt asks for a new one
    if (answer.status === 401) this.token = null;
    return { ok: false, retry: answer.status === 401 || retryable(answer.status), reason: `${step} of ${object.id}: ${refusal(answer)}` };
  }
}
