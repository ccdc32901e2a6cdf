// Issuing and checking one-time codes: at most `codesPerPhonePerHour` codes to one phone an hour, whatever
// their purpose, and one of a purpose every `codeMinIntervalSeconds` (a guest who registers may ask at once for
// a code to pay with points; counted in the database, under a per-phone lock, so no number of API processes
// can flood a phone); a code is single use and void after `codeMaxAttempts` wrong tries.
import type { Db } from '../db/database.ts';
import { CODE_LIFETIMES, type ProjectSettings } from '../project/schemas.ts';
import { validationError } from '../shared/errors.ts';
import { codeMatches, generateCode, hashCode, newSalt, type CodePurpose } from './codes.ts';
import * as repository from './codes.repository.ts';

const HOUR_MS = 3600_000;

export interface IssuedCode {
  id: number;
  /** in clear text, for the SMS only: never stored, never logged */
  code: string;
  expiresAt: Date;
}

export interface IssueCodeRequest {
  customerId: number;
  purpose: CodePurpose;
  phone: string;
  length: number;
  lifetime: keyof typeof CODE_LIFETIMES;
  operation: string | null;
  now: Date;
  /** where a rate-limit refusal points, e.g. `/customer/mobilePhone` */
  location: string;
}

const inWords = (seconds: number) => (seconds < 90 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`);

const PURPOSE_WORDS: Record<CodePurpose, string> = { confirmation: 'a confirmation code', authorization: 'an authorization code' };

/** Refuses with a ValidationError when one more code of the purpose to this phone would break the project's limits. */
async function assertSendingAllowed(db: Db, settings: ProjectSettings, request: IssueCodeRequest): Promise<void> {
  const { phone, purpose, now, location } = request;
  const last = await repository.lastCodeToPhone(db, phone, purpose);
  if (last && settings.codeMinIntervalSeconds > 0) {
    const wait = Math.ceil((last.getTime() + settings.codeMinIntervalSeconds * 1000 - now.getTime()) / 1000);
    if (wait > 0)
      throw validationError({
        location,
        message: `${PURPOSE_WORDS[purpose]} was sent to this phone moments ago; another one can be sent in ${inWords(wait)}`,
      });
  }
  const lastHour = await repository.codesSentToPhoneSince(db, phone, new Date(now.getTime() - HOUR_MS));
  if (lastHour.count >= settings.codesPerPhonePerHour && lastHour.oldest) {
    const wait = Math.max(1, Math.ceil((lastHour.oldest.getTime() + HOUR_MS - now.getTime()) / 1000));
    throw validationError({
      location,
      message: `at most ${settings.codesPerPhonePerHour} codes an hour are sent to one phone; the next one can be sent in ${inWords(wait)}`,
    });
  }
}

/** A new code for the guest; earlier live codes of the same purpose stop working. Runs in the caller's transaction. */
export async function issueCode(db: Db, settings: ProjectSettings, request: IssueCodeRequest): Promise<IssuedCode> {
  await repository.lockPhoneForCodes(db, request.phone);
  await assertSendingAllowed(db, settings, request);
  await repository.replaceActiveCodes(db, request.customerId, request.purpose, request.now);
  const code = generateCode(request.length);
  const salt = newSalt();
  const expiresAt = new Date(request.now.getTime() + CODE_LIFETIMES[request.lifetime] * 1000);
  const id = await repository.insertCode(db, {
    customerId: request.customerId,
    purpose: request.purpose,
    phone: request.phone,
    hash: hashCode(code, salt, request),
    salt,
    operation: request.operation,
    createdAt: request.now,
    expiresAt,
  });
  return { id, code, expiresAt };
}

export type CodeCheck =
  | { ok: true; phone: string }
  | { ok: false; reason: 'none' | 'used' | 'expired' | 'void' }
  | { ok: false; reason: 'wrong'; attemptsLeft: number };

/** Checks a typed code against the guest's newest code of the purpose; a right one is consumed, a wrong one counted. */
export async function checkCode(
  db: Db,
  settings: ProjectSettings,
  check: { customerId: number; purpose: CodePurpose; typed: string | null; now: Date },
): Promise<CodeCheck> {
  const stored = await repository.latestCodeForUpdate(db, check.customerId, check.purpose);
  if (!stored || stored.status === 'replaced') return { ok: false, reason: 'none' };
  if (stored.status === 'used') return { ok: false, reason: 'used' };
  if (stored.status === 'void' || stored.attempts >= settings.codeMaxAttempts) return { ok: false, reason: 'void' };
  if (new Date(stored.expires_at).getTime() <= check.now.getTime()) return { ok: false, reason: 'expired' };
  if (check.typed !== null && codeMatches(check.typed, { hash: stored.code_hash, salt: stored.salt }, check)) {
    await repository.closeCode(db, stored.id, 'used', check.now);
    return { ok: true, phone: stored.phone };
  }
  const attemptsLeft = settings.codeMaxAttempts - stored.attempts - 1;
  await repository.recordWrongAttempt(db, stored.id, attemptsLeft <= 0, check.now);
  return { ok: false, reason: 'wrong', attemptsLeft: Math.max(0, attemptsLeft) };
}

/** What to tell the person at the till about a failed check. */
export function codeRefusal(check: Exclude<CodeCheck, { ok: true }>): string {
  switch (check.reason) {
    case 'none':
      return 'no code was requested for this guest, or a newer one replaced it; request a new code';
    case 'used':
      return 'this code has been used already; request a new code';
    case 'expired':
      return 'the code has expired; request a new code';
    case 'void':
      return 'too many wrong attempts: the code no longer works; request a new code';
    case 'wrong':
      return check.attemptsLeft > 0
        ? `wrong code; ${check.attemptsLeft} attempt(s) left`
        : 'wrong code; that was the last attempt: the code no longer works, request a new one';
  }
}
