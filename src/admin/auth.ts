// Who may call the admin API. Scripts send the admin token (`Authorization: Bearer …`, acts as an owner);
// the console signs people in and keeps an httpOnly SameSite session cookie. With a cookie, every request
// that changes something must carry the session's CSRF token in `X-CSRF-Token`. Viewers only read:
// a route needs its configured role (default: GET any signed-in user, everything else owner or marketer).
// Wrong bearer tokens count as failed attempts of the address they come from (decision 0502).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.ts';
import type { AdminRole } from '../db/schema.ts';
import type { AdminPrincipal, AdminRoutes } from '../http/admin-route.ts';
import { adminTokenIdOf } from '../project/admin-tokens.ts';
import { AppError } from '../shared/errors.ts';
import { addressCounter, addressGroup, checkThenCount, credentialCounter, type Counter } from '../shared/failed-attempts.ts';
import { csrfTokenMatches, resumeSession, roleAllows } from './users.service.ts';

export const SESSION_COOKIE = 'regulars_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Answers about people and credentials are kept by no cache, and are never read as another type than they say. */
export const PRIVATE_ANSWER_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

/**
 * Guesses of the admin token: counted per address (with the address's own ceiling), so a guesser elsewhere
 * cannot stop the scripts that hold the token.
 */
export function adminTokenCounters(ip: string): Counter[] {
  return [addressCounter(ip), credentialCounter(`admin-token@${addressGroup(ip)}`)];
}

export function readCookie(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * The caller of an admin request: from a bearer token or a session cookie; null when neither is valid. Throws
 * `rate_limited` while the address backs off after wrong tokens.
 */
export async function authenticate(app: AppContext, request: FastifyRequest): Promise<{ principal: AdminPrincipal; sessionId: string | null } | null> {
  const header = (request.headers.authorization ?? '').trim();
  if (header) {
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (token === undefined) return null;
    const tokenId = await checkThenCount(app.db, adminTokenCounters(request.ip), app.now(), () => adminTokenIdOf(app.db, token));
    return tokenId ? { principal: { name: 'admin token', role: 'owner', via: 'token' }, sessionId: null } : null;
  }
  const sessionId = readCookie(request, SESSION_COOKIE);
  if (!sessionId) return null;
  const principal = await resumeSession(app.db, sessionId, app.now());
  return principal ? { principal, sessionId } : null;
}

function adminGuard(app: AppContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = await authenticate(app, request);
    if (!caller) {
      reply.header('www-authenticate', 'Bearer');
      throw new AppError('unauthorized', 'sign in, or send a valid admin token (Authorization: Bearer <token>)');
    }
    const unsafe = !SAFE_METHODS.has(request.method);
    if (caller.sessionId && unsafe) {
      const presented = request.headers['x-csrf-token'];
      if (typeof presented !== 'string' || !csrfTokenMatches(caller.sessionId, presented)) {
        throw new AppError('forbidden', 'the X-CSRF-Token header is missing or wrong; reload the page');
      }
    }
    const needed: AdminRole = request.routeOptions.config.adminRole ?? (unsafe ? 'marketer' : 'viewer');
    if (!roleAllows(caller.principal.role, needed)) {
      throw new AppError('forbidden', `a ${caller.principal.role} may not do this (needs ${needed === 'owner' ? 'an owner' : 'an owner or a marketer'})`);
    }
    request.adminPrincipal = caller.principal;
  };
}

/** The admin API: every module's routes in one scope, each request guarded before its route runs. */
const ADMIN_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export async function registerAdminApi(server: FastifyInstance, app: AppContext, modules: readonly AdminRoutes<AppContext>[]): Promise<void> {
  await server.register(async (admin) => {
    // the largest admin body is a project file (1 MB as YAML text inside JSON); the server-wide limit is the menu upload's
    admin.addHook('onRoute', (route) => {
      route.bodyLimit ??= ADMIN_BODY_LIMIT_BYTES;
    });
    admin.addHook('onRequest', async (_request, reply) => {
      reply.headers(PRIVATE_ANSWER_HEADERS);
    });
    admin.addHook('onRequest', adminGuard(app));
    for (const routes of modules) await routes(admin, app);
  });
}
