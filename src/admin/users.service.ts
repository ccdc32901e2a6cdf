// Admin users (owner, marketer, viewer) and their console sessions. A session id is 32 random bytes
// handed to the browser in an httpOnly cookie; the database keeps its SHA-256 only. The CSRF token is
// derived from the session id, so it is bound to the session and needs no storage of its own. A session is
// bound to the credential that opened it: a user's ends when the password changes or the user is disabled, an
// admin token's when the token is revoked (decision 0502).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { AdminRole } from '../db/schema.ts';
import type { AdminPrincipal } from '../http/admin-route.ts';
import { adminTokenIdOf, isAdminTokenLive } from '../project/admin-tokens.ts';
import { credentialCounter, forgetFailures, type Counter } from '../shared/failed-attempts.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';
import { AppError } from '../shared/errors.ts';
import * as repository from './users.repository.ts';

export const ADMIN_ROLES = ['owner', 'marketer', 'viewer'] as const satisfies readonly AdminRole[];
const ROLE_RANK: Record<AdminRole, number> = { viewer: 0, marketer: 1, owner: 2 };
const USER_NAME = /^[\p{L}\p{N}._@-]{2,64}$/u;

export const SESSION_IDLE_MS = 12 * 3_600_000;
/** however busy, a session ends this long after its sign-in, so a copied cookie does not work for ever */
export const SESSION_LIFETIME_MS = 24 * 3_600_000;
/** a session's expiry moves forward at most this often, so reading pages does not write on every request */
const SESSION_TOUCH_MS = 5 * 60_000;

const noSuchUser = (name: string) => new AppError('not_found', `no user "${name}"`);
const roleRefused = () => new AppError('bad_request', `the role is one of ${ADMIN_ROLES.join(', ')}`);
const nameTaken = (name: string) => new AppError('conflict', `user "${name}" already exists`);

/** The failed sign-ins of one account (any address), counted whether or not the account exists. */
export function accountCounter(name: string): Counter {
  return credentialCounter(`account:${name}`);
}

export function roleAllows(role: AdminRole, needed: AdminRole): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[needed];
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new AppError('bad_request', `a password has at least ${MIN_PASSWORD_LENGTH} characters`);
}

export async function addUser(db: Db, input: { name: string; role: AdminRole; password: string }) {
  if (!USER_NAME.test(input.name)) throw new AppError('bad_request', 'a user name has 2–64 letters, digits, ".", "_", "@" or "-"');
  if (!ADMIN_ROLES.includes(input.role)) throw roleRefused();
  checkPassword(input.password);
  if (await repository.findUserByName(db, input.name)) throw nameTaken(input.name);
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await repository.insertUser(db, { name: input.name, role: input.role, password_hash: passwordHash });
    return { id: user.id, name: user.name, role: user.role };
  } catch (error) {
    // added by someone else between the check and the insert
    if (isUniqueViolation(error, 'admin_users_name_key')) throw nameTaken(input.name);
    throw error;
  }
}

export async function listUsers(db: Db) {
  return (await repository.listUsers(db)).map((user) => ({
    name: user.name,
    role: user.role,
    createdAt: user.created_at,
    disabled: user.disabled_at !== null,
  }));
}

/** Sets a new password, signs the user out everywhere and forgets the account's failed sign-ins. */
export async function setPassword(db: Db, name: string, password: string, now: Date): Promise<void> {
  checkPassword(password);
  const user = await repository.findUserByName(db, name);
  if (!user) throw noSuchUser(name);
  await repository.updateUser(db, name, { password_hash: await hashPassword(password) }, now);
  await repository.endSessionsOfUser(db, user.id);
  await forgetFailures(db, accountCounter(name));
}

export async function setRole(db: Db, name: string, role: AdminRole, now: Date): Promise<void> {
  if (!ADMIN_ROLES.includes(role)) throw roleRefused();
  if (!(await repository.updateUser(db, name, { role }, now))) throw noSuchUser(name);
}

/** Disables (or enables again) a user; disabling ends their sessions. */
export async function setDisabled(db: Db, name: string, disabled: boolean, now: Date): Promise<void> {
  const user = await repository.findUserByName(db, name);
  if (!user) throw noSuchUser(name);
  await repository.updateUser(db, name, { disabled_at: disabled ? now : null }, now);
  if (disabled) await repository.endSessionsOfUser(db, user.id);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function csrfTokenOf(sessionId: string): string {
  return createHash('sha256').update(`csrf:${sessionId}`, 'utf8').digest('base64url');
}

export function csrfTokenMatches(sessionId: string, presented: string): boolean {
  const expected = Buffer.from(csrfTokenOf(sessionId));
  const actual = Buffer.from(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export interface OpenedSession {
  sessionId: string;
  csrfToken: string;
  principal: AdminPrincipal;
  expiresAt: Date;
}

/** What opened a session: a user's password (under the user's session generation then) or an admin token. */
type SessionCredential = { userId: number; generation: number } | { adminTokenId: string };

async function openSession(db: Db, credential: SessionCredential, principal: AdminPrincipal, now: Date, userAgent: string | null): Promise<OpenedSession> {
  const sessionId = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS);
  const times = { id_hash: sha256(sessionId), created_at: now, last_seen_at: now, expires_at: expiresAt, user_agent: userAgent?.slice(0, 300) ?? null };
  await repository.insertSession(
    db,
    'userId' in credential
      ? { ...times, user_id: credential.userId, user_generation: credential.generation, admin_token_id: null }
      : { ...times, user_id: null, user_generation: null, admin_token_id: credential.adminTokenId },
  );
  return { sessionId, csrfToken: csrfTokenOf(sessionId), principal, expiresAt };
}

/** Signs in with a name and password; null when either is wrong or the user is disabled (same answer, same time). */
export async function signInWithPassword(db: Db, name: string, password: string, now: Date, userAgent: string | null): Promise<OpenedSession | null> {
  const user = await repository.findUserByName(db, name);
  const matches = await verifyPassword(password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
  if (!user || !matches || user.disabled_at !== null) return null;
  return openSession(db, { userId: user.id, generation: user.session_generation }, { name: user.name, role: user.role, via: 'session' }, now, userAgent);
}

/** Signs in with the admin token (what a fresh installation prints); the session acts as an owner. */
export async function signInWithToken(db: Db, token: string, now: Date, userAgent: string | null): Promise<OpenedSession | null> {
  const adminTokenId = await adminTokenIdOf(db, token);
  if (!adminTokenId) return null;
  return openSession(db, { adminTokenId }, { name: 'admin token', role: 'owner', via: 'session' }, now, userAgent);
}

/**
 * The principal of a live session, moving its idle expiry forward (never past its lifetime); null when unknown,
 * expired, or its credential changed: the user's password or state, or the admin token that opened it.
 */
export async function resumeSession(db: Db, sessionId: string, now: Date): Promise<AdminPrincipal | null> {
  const idHash = sha256(sessionId);
  const session = await repository.findSession(db, idHash);
  if (!session || session.expires_at.getTime() <= now.getTime()) return null;
  if (session.user_id !== null) {
    if (session.name === null || session.role === null || session.disabled_at !== null || session.user_generation !== session.session_generation) return null;
  } else if (session.admin_token_id === null || !(await isAdminTokenLive(db, session.admin_token_id))) {
    return null;
  }
  if (now.getTime() - session.last_seen_at.getTime() >= SESSION_TOUCH_MS) {
    const expiresAt = Math.min(now.getTime() + SESSION_IDLE_MS, session.created_at.getTime() + SESSION_LIFETIME_MS);
    await repository.touchSession(db, idHash, now, new Date(expiresAt));
  }
  return session.user_id === null
    ? { name: 'admin token', role: 'owner', via: 'session' }
    : { name: session.name!, role: session.role!, via: 'session' };
}

export async function signOut(db: Db, sessionId: string): Promise<void> {
  await repository.deleteSession(db, sha256(sessionId));
}

export const deleteExpiredSessions = repository.deleteExpiredSessions;
